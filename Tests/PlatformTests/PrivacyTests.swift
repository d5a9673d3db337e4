import DemoSources
import EventStream
import FHIR
import Foundation
import Platform
import Testing

/// The engine routes events; it does not keep clinical data. After a busy run the database holds references,
/// codes, CPR numbers and organisation codes, and no names, no free text and no resource JSON.
@Suite(.timeLimit(.minutes(2))) struct PrivacyTests {
    func expectNothingClinical(in texts: [String], forbidden: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for word in forbidden {
            let found = texts.filter { $0.contains(word) }
            #expect(found.isEmpty, "'\(word)' is stored: \(found.prefix(3))", sourceLocation: sourceLocation)
        }
    }

    @Test func theScenarioLeavesNoNamesOrTextsInTheDatabase() async throws {
        try await withDemoCluster { cluster, sources in
            try await EngineHarness.with(sources: sources, credentials: NotifyCredentials(secrets: cluster.notifySecrets)) {
                harness in
                await cluster.connect(engineURL: harness.base)
                let topics = [
                    "hospitalsnotifikation", "laboratoriesvar", "epikrise", "hjemmeplejenotat", "aftale",
                ]
                var subscriptions: [String: String] = [:]
                for topic in topics { subscriptions[topic] = try await harness.subscribe(topic, payload: "full-resource") }
                let steps = Collected<String>()
                let player = ScenarioPlayer(cluster: cluster, speed: 200) { steps.append($0) }
                player.start()
                // The story ends with the GP moving Bruno's check-up (scenario second 320: 1.6 s at speed 200); then
                // the background traffic is stopped too, so that the sources' queues drain on a busy machine.
                let played = await eventually(within: .seconds(20)) { steps.all.contains { $0.contains("flyttes en dag") } }
                player.stop()
                #expect(played, "the whole story was played")
                func codes(_ topic: String) async throws -> [String] {
                    try await harness.events(subscriptions[topic] ?? "").map(\.code)
                }
                let stored = try await eventually(within: .seconds(30), every: .milliseconds(100)) {
                    let hospital = try await codes("hospitalsnotifikation")
                    let appointments = try await codes("aftale")
                    let letters = try await codes("epikrise")
                    let notes = try await codes("hjemmeplejenotat")
                    let labs = try await codes("laboratoriesvar")
                    return appointments == ["appointment-booked", "appointment-changed"] && letters == ["discharge-letter"]
                        && notes == ["home-care-note"] && labs.count >= 6 && hospital.contains("RE_STAA")
                        && hospital.contains("AN_STAA")
                }
                #expect(stored, "every kind of event of the story reached the engine")
                let notes = try await harness.events(subscriptions["hjemmeplejenotat"] ?? "")
                #expect(notes.map(\.code) == ["home-care-note"])
                // The nurse's reference carries the home care unit's SOR code: the code is kept, her name is not.
                #expect(notes.first?.organization == "612301000016002")
                #expect(notes.first?.organizationName == nil)
                // Full-resource payloads are fetched from the source when asked for, not kept.
                let full = try await HTTP.send(
                    "\(harness.base)/Subscription/\(subscriptions["epikrise"] ?? "")/$events?content=full-resource")
                #expect(full.text.contains("DocumentReference"), "a full-resource read shows the resource")

                let texts = try await harness.storage.allText()
                #expect(texts.contains(PlatformFixtures.bruno), "CPR numbers are stored, for routing")
                let names = try PlatformFixtures.demoData().manifest.patients.map(\.name)
                expectNothingClinical(
                    in: texts,
                    forbidden: names + [
                        "Bruno", "Elmer", "EPIKRISE", "Epikrise", "eksacerbation", "prednisolon", "Prednisolon", "forpustet",
                        "Feber uden kendt årsag", "Brystsmerter", "Kontrol efter indlæggelse", "C-reaktivt protein",
                        "resourceType", "Tvedvangen", "\"div\"",
                        // Practitioners named on the note and the appointment: a person's name is no organisation name.
                        "Lone Bækgaard", "Hanne Østergaard",
                    ])
            }
        }
    }

    @Test func manyFullResourceNotificationsLeaveNoNamesOrTexts() async throws {
        try await EngineHarness.with { harness in
            _ = try await harness.subscribe("hospitalsnotifikation")
            let source = SourceSimulator(harness)
            let patients = try PlatformFixtures.demoData().manifest.patients.prefix(25)
            for (index, patient) in patients.enumerated() {
                let words = patient.name.split(separator: " ").map(String.init)
                try await source.encounter(
                    "h-enc-\(index)", cpr: patient.cpr, municipality: patient.municipality, given: words.first ?? "",
                    family: words.last ?? "", note: "Fri tekst om \(patient.name): smerter i brystet")
            }
            let texts = try await harness.storage.allText()
            let nameWords = Set(patients.flatMap { $0.name.split(separator: " ").map(String.init) }).filter {
                $0.count >= 4 && $0 != "Test"
            }
            expectNothingClinical(
                in: texts,
                forbidden: patients.map(\.name) + nameWords.sorted() + [
                    "Fri tekst", "smerter i brystet", "resourceType", "Tvedvangen", "official",
                ])
            #expect(Set(patients.map(\.cpr)).isSubset(of: Set(texts)), "each event knows its patient's CPR")
        }
    }
}
