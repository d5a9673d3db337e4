import DemoSources
import EventStream
import FHIR
import Foundation
import Platform
import Testing

/// Sources announce changes in either backport form; the engine accepts both, stores each event once, and what a
/// subscriber reads back (`$events`) names the event code, the patient's CPR, the place and the focus.
@Suite(.timeLimit(.minutes(3))) struct NotificationFormTests {
    @Test func r4ParametersFormWithFullResourcesIsStored() async throws {
        try await EngineHarness.with { harness in
            let subscription = try await harness.subscribe("akut-ankomst")
            let base = PlatformFixtures.deadSourceBase
            let bundle = Notifications.r4(
                base: base, topic: "akut-ankomst", number: 1,
                focus: Notifications.encounter(id: "h-enc-r4", patientID: "1000"),
                patient: Notifications.patient(id: "1000", cpr: PlatformFixtures.bruno))

            let answer = try await harness.notify(bundle)

            #expect(answer.status == 200)
            #expect(answer.diagnostics.contains("1 hændelse gemt"), "\(answer.text)")
            #expect(try await harness.eventCount(subscription) == 1)
            let events = try await harness.events(subscription)
            try #require(events.count == 1)
            let event = events[0]
            #expect(event.number == 1)
            #expect(event.code == "STAA")
            #expect(event.cpr?.value == PlatformFixtures.bruno)
            #expect(event.organization == PlatformFixtures.akutHerlev)
            #expect(event.organizationName == "Akutmodtagelsen, Herlev")
            #expect(event.municipality == "0163")
            #expect(event.focus == "\(base)/Encounter/h-enc-r4")
            #expect(event.sourceID == "hospital")
            #expect(event.topic == "akut-ankomst")
            #expect(event.subscriptionID == subscription)
        }
    }

    @Test func r4bSubscriptionStatusIdOnlyIsFetchedFromTheSource() async throws {
        try await withDemoCluster { cluster, sources in
            try await EngineHarness.with(sources: sources) { harness in
                let hospital = try #require(cluster.server("hospital"))
                // A new arrival the source announces id-only, with a relative reference and no topic: the engine
                // must fetch the Encounter and its patient from the source to know what happened and to whom.
                try hospital.store.upsert(Notifications.encounter(id: "h-enc-r4b", patientID: "1000"))
                let subscription = try await harness.subscribe(
                    "hospitalsnotifikation", filters: ["patient=\(PlatformFixtures.bruno)"])

                let answer = try await harness.notify(Notifications.r4b(topic: nil, number: 7, focus: "Encounter/h-enc-r4b"))

                #expect(answer.status == 200, "\(answer.text)")
                let events = try await harness.events(subscription)
                #expect(events.map(\.code) == ["STAA"])
                #expect(events.first?.cpr?.value == PlatformFixtures.bruno)
                #expect(events.first?.municipality == "0163")
                #expect(events.first?.organization == PlatformFixtures.akutHerlev)
                #expect(events.first?.focus == "\(sources["hospital"] ?? "-")/Encounter/h-enc-r4b")
            }
        }
    }

    @Test func aResourceNobodyCanFetchIsNotGuessed() async throws {
        try await EngineHarness.with { harness in
            let subscription = try await harness.subscribe("hospitalsnotifikation")
            // id-only, no topic, and the source cannot be reached: nothing to classify, so nothing is stored.
            let answer = try await harness.notify(Notifications.r4b(topic: nil, number: 1, focus: "Encounter/unknown"))

            #expect(answer.status == 200)
            #expect(answer.diagnostics.contains("0 hændelser gemt"), "\(answer.text)")
            #expect(try await harness.eventCount(subscription) == 0)
        }
    }

    @Test func handshakesAndHeartbeatsStoreNothing() async throws {
        try await EngineHarness.with { harness in
            let subscription = try await harness.subscribe("akut-ankomst")
            let bundles = [
                Notifications.r4b(topic: "akut-ankomst", number: nil, focus: nil, type: "handshake"),
                Notifications.r4b(topic: "akut-ankomst", number: nil, focus: nil, type: "heartbeat"),
                parametersOnly(type: "handshake"),
                parametersOnly(type: "heartbeat"),
            ]
            for bundle in bundles {
                let answer = try await harness.notify(bundle)
                #expect(answer.status == 200, "\(answer.text)")
                #expect(answer.diagnostics.contains("0 hændelser gemt"), "\(answer.text)")
            }
            #expect(try await harness.eventCount(subscription) == 0)
            #expect(try await harness.events(subscription).isEmpty)
        }
    }

    @Test func aRetriedDeliveryIsStoredOnce() async throws {
        try await EngineHarness.with { harness in
            let subscription = try await harness.subscribe("akut-ankomst")
            let bundle = Notifications.r4(
                base: PlatformFixtures.deadSourceBase, topic: "akut-ankomst", number: 3,
                focus: Notifications.encounter(id: "h-enc-retry", patientID: "1000"),
                patient: Notifications.patient(id: "1000", cpr: PlatformFixtures.bruno))

            _ = try await harness.notify(bundle)
            let again = try await harness.notify(bundle)

            #expect(again.status == 200)
            #expect(again.diagnostics.contains("allerede modtaget"), "\(again.text)")
            #expect(try await harness.eventCount(subscription) == 1)
            #expect(try await harness.events(subscription).map(\.code) == ["STAA"])
        }
    }

    /// An R4 `Parameters`-form bundle with no events (handshake, heartbeat).
    func parametersOnly(type: String) -> JSONValue {
        J([
            "resourceType": "Bundle", "type": "history",
            "entry": [
                [
                    "fullUrl": "urn:uuid:\(UUID().uuidString.lowercased())",
                    "resource": [
                        "resourceType": "Parameters",
                        "parameter": [
                            ["name": "status", "valueCode": "active"], ["name": "type", "valueCode": type],
                            ["name": "events-since-subscription-start", "valueString": "0"],
                        ],
                    ],
                ]
            ],
        ])
    }
}
