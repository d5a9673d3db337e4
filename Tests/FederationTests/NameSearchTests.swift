import DemoSources
import FHIR
import Federation
import Foundation
import Testing

/// Finding a patient by name as a clinician types it: the whole name, some of its words in any order, the start of
/// one part of a double name; case and Danish letters ignored; one entry per CPR number whatever the sources.
@Suite struct NameSearchTests {
    @Test func wholeNamesAndWordsInAnyOrderFindThePatient() async throws {
        let sources = try await FederationFixtures.start()
        let client = FederatedClient(registry: sources.registry, client: FederationFixtures.http, cache: nil)
        func found(_ query: String) async -> [String] {
            await client.findPatients(name: query).map(\.cpr.value).sorted()
        }
        #expect(await found("Bruno Test Elmer") == ["2509479989"])
        #expect(await found("bruno elmer") == ["2509479989"])
        #expect(await found("ELMER bruno") == ["2509479989"])
        #expect(await found("Karen Test").contains("1703589978"))
        #expect(await found("Karen Frølund") == ["1703589978"])
        #expect(await found("karen frolund") == ["1703589978"])
        // One part of a double family name, and of a double given name.
        #expect(await found("øster") == ["0811459990"])
        #expect(await found("Anne-Sophie Nørregaard") == ["0811459990"])
        #expect(await found("marie-louise") == ["0811459990"])
        // Every word must match: a word of no one's name finds nobody.
        #expect(await found("Bruno Zylberstein").isEmpty)
        #expect(await found("   ").isEmpty)
        // Found at four sources, listed once with all four.
        let bruno = await client.findPatients(name: "Bruno Test Elmer")
        #expect(bruno.count == 1)
        #expect(Set(bruno.first?.sources ?? []) == ["hospital", "gp", "municipality", "nsp"])
        await sources.stop()
    }

    @Test func theWordsOfANameFoldCaseAndDanishLetters() {
        #expect(NameMatch.words("Kjærgaard-Østergaard  Brøndum") == ["kjaergaard", "ostergaard", "brondum"])
        #expect(NameMatch.matches("øst kjær", name: NameMatch.words("Kjærgaard-Østergaard")))
        #expect(!NameMatch.matches("gaard", name: NameMatch.words("Kjærgaard-Østergaard")))
        #expect(!NameMatch.matches("", name: ["bruno"]))
    }
}

/// Units as clinicians read them: UCUM's `u` for micro becomes µ; everything else is left as the source wrote it.
@Suite struct UnitTextTests {
    @Test func microIsShownAsMu() {
        #expect(ObservationValueFormat.unit("umol/L") == "µmol/L")
        #expect(ObservationValueFormat.unit("ug/L") == "µg/L")
        #expect(ObservationValueFormat.unit("uL") == "µL")
        #expect(ObservationValueFormat.unit("U/L") == "U/L")
        #expect(ObservationValueFormat.unit("mmol/L") == "mmol/L")
        #expect(ObservationValueFormat.unit("mm[Hg]") == "mm[Hg]")
        #expect(ObservationValueFormat.unit("u") == "u")
    }
}
