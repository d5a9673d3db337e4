import DemoSources
import FHIR
import Federation
import Foundation
import Testing
import Words

/// The overview a clinician gets, assembled over real HTTP from the demo sources.
@Suite(.serialized) struct OverviewTests {
    @Test func brunosOverviewHasItemsFromAllFourSources() async throws {
        let sources = try await FederationFixtures.start()
        let client = FederatedClient(registry: sources.registry, client: FederationFixtures.http, cache: nil)
        let overview = await client.overview(cpr: FederationFixtures.bruno)
        #expect(overview.patient?.name == "Bruno Test Elmer")
        #expect(overview.patient?.municipalityName == "Herlev")
        #expect(overview.sources.map(\.state) == [.ok, .ok, .ok, .ok])
        let fromSources = Set(overview.timeline.flatMap { $0.sources.map(\.sourceID) })
        #expect(fromSources == ["hospital", "gp", "municipality", "nsp"])
        #expect(!overview.section(.encounters).isEmpty)
        #expect(!overview.section(.appointments).isEmpty)
        #expect(!overview.section(.homeCare).isEmpty)
        #expect(!overview.section(.medication).isEmpty)
        #expect(!overview.section(.labs).isEmpty)
        #expect(!overview.section(.documents).isEmpty)
        #expect(overview.flags.contains { $0.danish.contains("Penicillin") })
        // The timeline is newest first and holds every item.
        let dates = overview.timeline.compactMap(\.date)
        #expect(dates == dates.sorted(by: >))
        #expect(overview.timeline.count == overview.sections.map(\.items.count).reduce(0, +))
        // Appointments: the next one first, the later ones after it, then the past ones, newest first.
        let appointments = overview.section(.appointments).compactMap { $0.date?.lowerBound }
        let now = overview.assembledAt
        let upcoming = appointments.prefix { $0 >= now }
        let past = appointments.dropFirst(upcoming.count)
        #expect(!upcoming.isEmpty && !past.isEmpty, "Bruno has both")
        #expect(Array(upcoming) == upcoming.sorted(), "\(upcoming)")
        #expect(Array(past) == past.sorted(by: >) && past.allSatisfy { $0 < now }, "\(past)")
        // An epikrise carries its whole text.
        #expect(overview.section(.documents).first?.text?.contains("EPIKRISE") == true)
        await sources.stop()
    }

    @Test func theSameDiagnosisFromTwoSourcesIsShownOnceWithBoth() async throws {
        let sources = try await FederationFixtures.start()
        let client = FederatedClient(registry: sources.registry, client: FederationFixtures.http, cache: nil)
        let overview = await client.overview(cpr: FederationFixtures.bruno)
        let heartFailure = overview.section(.conditions).filter { $0.code == "\(DanishSystems.sks)|DI50" }
        #expect(heartFailure.count == 1)
        #expect(Set(heartFailure.first?.sources.map(\.sourceID) ?? []) == ["hospital", "gp"])
        await sources.stop()
    }

    @Test func everyItemCarriesItsSourceAndFetchTime() async throws {
        let sources = try await FederationFixtures.start()
        let client = FederatedClient(registry: sources.registry, client: FederationFixtures.http, cache: nil)
        let before = Date()
        let overview = await client.overview(cpr: FederationFixtures.bruno)
        for item in overview.timeline {
            #expect(!item.sources.isEmpty)
            for source in item.sources {
                #expect(source.fetchedAt >= before.addingTimeInterval(-1))
                #expect(source.reference.contains("/"))
            }
        }
        await sources.stop()
    }

    @Test func aLargePatientIsFetchedWholeAcrossPages() async throws {
        let large = try FederationFixtures.patient(tag: "large")
        let sources = try await FederationFixtures.start()
        let client = FederatedClient(registry: sources.registry, client: FederationFixtures.http, cache: nil)
        let overview = await client.overview(cpr: try CPRNumber(large.cpr))
        let hospital = try #require(overview.sources.first { $0.sourceID == "hospital" })
        #expect(hospital.resourceCount == large.resources["hospital"])
        #expect(overview.trends.contains { $0.code.hasSuffix("NPU18016") && $0.points.count > 300 })
        await sources.stop()
    }

    @Test func anUnknownCPRIsNotFoundAtEverySource() async throws {
        let sources = try await FederationFixtures.start()
        let client = FederatedClient(registry: sources.registry, client: FederationFixtures.http, cache: nil)
        let overview = await client.overview(cpr: try CPRNumber("0101019900"))
        #expect(overview.sources.map(\.state) == [.notFound, .notFound, .notFound, .notFound])
        #expect(!overview.isFound)
        await sources.stop()
    }

    @Test func aPatientKnownToOneSourceOnly() async throws {
        let single = try FederationFixtures.patient(tag: "single-source")
        let sources = try await FederationFixtures.start()
        let client = FederatedClient(registry: sources.registry, client: FederationFixtures.http, cache: nil)
        let overview = await client.overview(cpr: try CPRNumber(single.cpr))
        // One local source, and the national services, which know every citizen.
        #expect(Set(overview.sources.filter { $0.state == .ok }.map(\.sourceID)) == Set(single.sources.keys))
        #expect(overview.sources.filter { $0.state == .notFound }.count == 2)
        #expect(overview.patient?.name == single.name)
        await sources.stop()
    }

    @Test func hostileTextNeverReachesTheOverview() async throws {
        let hostile = try FederationFixtures.patient(tag: "hostile-text")
        let sources = try await FederationFixtures.start()
        let client = FederatedClient(registry: sources.registry, client: FederationFixtures.http, cache: nil)
        let overview = await client.overview(cpr: try CPRNumber(hostile.cpr))
        #expect(overview.timeline.count > 20)
        for item in overview.timeline {
            for text in [item.title.danish, item.detail?.danish ?? "", item.status?.danish ?? "", item.text ?? ""] {
                #expect(
                    !text.unicodeScalars.contains {
                        $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x202E || $0.value == 0x07
                    },
                    "\(item.id): \(text.debugDescription)")
            }
        }
        #expect(overview.timeline.contains { ($0.text ?? "").contains("RYDDER SKÆRMEN") })
        await sources.stop()
    }
}
