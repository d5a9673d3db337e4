import EventStream
import Foundation
import Platform
import Testing

/// An event reaches exactly the subscriptions whose topic and filters match it, and a repeated or cancelled
/// notification about the same contact gets the MedCom correction or cancellation code.
@Suite(.timeLimit(.minutes(3))) struct FilterTests {
    @Test func eachEventReachesOnlyTheSubscriptionsWhoseFiltersMatch() async throws {
        try await EngineHarness.with { harness in
            let bruno = PlatformFixtures.bruno
            let nancy = PlatformFixtures.nancy
            let einer = PlatformFixtures.einer
            let brunosGP = try await harness.subscribe("hospitalsnotifikation", filters: ["patient=\(bruno)"])
            let twoPatients = try await harness.subscribe(
                "hospitalsnotifikation", filters: ["patient=\(nancy),urn:oid:1.2.208.176.1.2|\(einer)"])
            let akutHerlev = try await harness.subscribe("akut-ankomst", filters: ["organization=\(PlatformFixtures.akutHerlev)"])
            let lunge = try await harness.subscribe("akut-ankomst", filters: ["organization=\(PlatformFixtures.lungeGentofte)"])
            let ballerup = try await harness.subscribe("hospitalsnotifikation", filters: ["municipality=0159"])
            let admissions = try await harness.subscribe("hospitalsnotifikation", filters: ["code=STIN"])
            let herlevAdmissions = try await harness.subscribe(
                "hospitalsnotifikation", filters: ["municipality=0163&code=STIN,STAA", "patient=\(nancy)"])
            let everything = try await harness.subscribe("hospitalsnotifikation")
            let labResults = try await harness.subscribe("laboratoriesvar")
            let source = SourceSimulator(harness)

            // Bruno (Herlev, 0163) arrives at Akutmodtagelsen, Herlev.
            try await source.encounter("h-enc-1", cpr: bruno)
            // Einer (Ballerup, 0159) is admitted at Medicinsk afdeling.
            try await source.encounter(
                "h-enc-2", cpr: einer, municipality: "0159", encounterClass: "IMP", sor: PlatformFixtures.medicinHerlev,
                topic: "indlaeggelse", given: "Einer", family: "Lauridsen")
            // Nancy (Herlev, 0163) arrives at the lung department's acute unit.
            try await source.encounter(
                "h-enc-3", cpr: nancy, sor: PlatformFixtures.lungeGentofte, given: "Nancy", family: "Berggren")

            func cprs(_ id: String) async throws -> [String] {
                try await harness.events(id).compactMap { $0.cpr?.value }
            }
            #expect(try await cprs(brunosGP) == [bruno])
            #expect(try await cprs(twoPatients) == [einer, nancy])
            #expect(try await cprs(akutHerlev) == [bruno])
            #expect(try await cprs(lunge) == [nancy])
            #expect(try await cprs(ballerup) == [einer])
            #expect(try await harness.events(admissions).map(\.code) == ["STIN"])
            #expect(try await cprs(herlevAdmissions) == [nancy])
            #expect(try await harness.events(everything).map(\.code) == ["STAA", "STIN", "STAA"])
            #expect(try await cprs(everything) == [bruno, einer, nancy])
            #expect(try await harness.eventCount(labResults) == 0)
            // Each subscription numbers its own events from 1 without gaps.
            #expect(try await harness.events(twoPatients).map(\.number) == [1, 2])
            #expect(try await harness.eventCount(everything) == 3)
            #expect(try await harness.eventCount(akutHerlev) == 1)
        }
    }

    @Test func aSecondNotificationIsACorrectionAndEnteredInErrorACancellation() async throws {
        try await EngineHarness.with { harness in
            let everything = try await harness.subscribe("hospitalsnotifikation")
            let arrivals = try await harness.subscribe("akut-ankomst")
            let cancellations = try await harness.subscribe("hospitalsnotifikation", filters: ["code=AN_STAA"])
            let corrections = try await harness.subscribe("hospitalsnotifikation", filters: ["code=RE_STAA"])
            let source = SourceSimulator(harness)

            try await source.encounter("h-enc-7", cpr: PlatformFixtures.bruno)
            try await source.encounter("h-enc-7", cpr: PlatformFixtures.bruno, note: "Brystsmerter")
            try await source.encounter("h-enc-7", cpr: PlatformFixtures.bruno, status: "entered-in-error")
            // Another contact is a first notification again.
            try await source.encounter("h-enc-8", cpr: PlatformFixtures.bruno)

            #expect(try await harness.events(everything).map(\.code) == ["STAA", "RE_STAA", "AN_STAA", "STAA"])
            #expect(try await harness.events(arrivals).map(\.code) == ["STAA", "RE_STAA", "AN_STAA", "STAA"])
            #expect(try await harness.events(cancellations).map(\.code) == ["AN_STAA"])
            #expect(try await harness.events(corrections).map(\.code) == ["RE_STAA"])
        }
    }

    @Test func aStoppedSubscriptionGetsNothingMore() async throws {
        try await EngineHarness.with { harness in
            let subscription = try await harness.subscribe("akut-ankomst")
            let source = SourceSimulator(harness)
            try await source.encounter("h-enc-1", cpr: PlatformFixtures.bruno)
            let deleted = try await HTTP.send("\(harness.base)/Subscription/\(subscription)", method: .DELETE)
            #expect(deleted.status == 200)
            try await source.encounter("h-enc-2", cpr: PlatformFixtures.bruno)

            #expect(try await harness.subscription(subscription)["status"]?.stringValue == "off")
            #expect(try await harness.eventCount(subscription) == 1)
        }
    }
}
