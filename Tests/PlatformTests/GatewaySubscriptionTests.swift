import AsyncHTTPClient
import EventStream
import FHIR
import Foundation
import NIOCore
import NIOHTTP1
import Platform
import Testing

extension GatewayTests {
    /// Behind the gateway, events are patient data too: subscriptions need a token, belong to their user, and keep to
    /// the user's own patients.
    @Suite(.timeLimit(.minutes(3))) struct Subscriptions {
        /// An R4 backport Subscription for SSE on `topic` with `filters`.
        static func subscription(_ topic: String, _ filters: [String]) -> [UInt8] {
            J([
                "resourceType": "Subscription", "status": "requested",
                "criteria": "https://sundhedscloud.dk/fhir/SubscriptionTopic/\(topic)",
                "_criteria": [
                    "extension": filters.map {
                        [
                            "url": "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-filter-criteria",
                            "valueString": $0,
                        ]
                    }
                ],
                "channel": [
                    "_type": [
                        "extension": [
                            [
                                "url": "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-channel-type",
                                "valueCoding": [
                                    "system": "https://sundhedscloud.dk/fhir/CodeSystem/channel-type", "code": "sse",
                                ],
                            ]
                        ]
                    ]
                ],
            ]).serialized()
        }

        func create(_ h: GatewayHarness, as user: String?, _ topic: String, _ filters: [String]) async throws -> GatewayAnswer {
            var headers = [("Content-Type", "application/fhir+json")]
            if let user { headers.append(("Authorization", "Bearer \(try await h.token(user))")) }
            return try await h.send(
                "/Subscription", method: .POST, body: Self.subscription(topic, filters), headers: headers)
        }

        @Test func subscriptionsNeedATokenAndKeepToTheUsersOwnPatients() async throws {
            try await GatewayHarness.with { h in
                let anonymous = try await create(h, as: nil, "akut-ankomst", ["organization=\(GW.akutHerlev)"])
                #expect(anonymous.status == 401)
                #expect(try await h.send("/Subscription").status == 401)

                // The ED doctor: their own department, not another.
                #expect(try await create(h, as: "akutlaege", "akut-ankomst", ["organization=\(GW.akutHerlev)"]).status == 201)
                let other = try await create(h, as: "akutlaege", "akut-ankomst", ["organization=953741000016071"])
                #expect(other.status == 403, "\(other.text)")
                #expect(other.diagnostics.contains("organization=\(GW.akutHerlev)"), "\(other.diagnostics)")
                // Everything, unfiltered: no.
                #expect(try await create(h, as: "akutlaege", "hospitalsnotifikation", []).status == 403)

                // A citizen: their own CPR number only.
                #expect(try await create(h, as: "borger-bruno", "hospitalsnotifikation", ["patient=\(GW.bruno)"]).status == 201)
                let nosy = try await create(h, as: "borger-bruno", "hospitalsnotifikation", ["patient=\(GW.nancy)"])
                #expect(nosy.status == 403)

                // The GP: patients on the list; one that is not (Einer has no GP on record) spoils the lot.
                #expect(
                    try await create(h, as: "egen-laege", "hospitalsnotifikation", ["patient=\(GW.bruno),\(GW.nancy)"]).status
                        == 201)
                let mixed = try await create(h, as: "egen-laege", "hospitalsnotifikation", ["patient=\(GW.bruno),\(GW.einer)"])
                #expect(mixed.status == 403)
                #expect(mixed.diagnostics.contains(GW.einer), "\(mixed.diagnostics)")

                // The home nurse: her municipality, not another.
                #expect(try await create(h, as: "hjemmesygeplejerske", "hjemmeplejenotat", ["municipality=0163"]).status == 201)
                #expect(try await create(h, as: "hjemmesygeplejerske", "hjemmeplejenotat", ["municipality=0101"]).status == 403)

                // Log follow-up reads the log, not events.
                #expect(
                    try await create(h, as: "logopfoelgning", "akut-ankomst", ["organization=\(GW.akutHerlev)"]).status == 403)
            }
        }

        @Test func aSubscriptionIsItsOwnersAlone() async throws {
            try await GatewayHarness.with { h in
                let made = try await create(h, as: "akutlaege", "akut-ankomst", ["organization=\(GW.akutHerlev)"])
                let id = try #require(made.json?["id"]?.stringValue)
                // The request's own `owner:` reason does not count: the token's user owns it.
                let mine = try await h.get("/Subscription", as: "akutlaege")
                #expect(mine.resources("Subscription").map { $0["id"]?.stringValue } == [id])
                #expect(
                    try await h.get("/Subscription?owner=akutlaege", as: "laege-uden-relation").resources("Subscription").isEmpty)
                for path in ["/Subscription/\(id)", "/Subscription/\(id)/$status", "/Subscription/\(id)/$events"] {
                    #expect(try await h.get(path, as: "akutlaege").status == 200, "\(path)")
                    #expect(try await h.get(path, as: "laege-uden-relation").status == 404, "\(path)")
                }
                let stream = try await h.get("/Subscription/\(id)/$get-ws-binding-token", as: "laege-uden-relation")
                #expect(stream.status == 404)
                let delete = try await h.send(
                    "/Subscription/\(id)", method: .DELETE,
                    headers: [("Authorization", "Bearer \(try await h.token("borger-bruno"))")])
                #expect(delete.status == 404)
                #expect(h.engine.cachedSubscriptions().contains { $0.id == id && $0.owner == "akutlaege" })
            }
        }

        /// A notification tells no more than its subscriber may open: the home nurse's municipality subscription
        /// delivers notes about citizens she has a care relationship with now, and a citizen whose services ended is
        /// not announced to her; when a service starts again, the next note is delivered at once (the relationship is
        /// decided afresh when an event concerns the patient).
        @Test func theHomeNurseIsToldOnlyOfCitizensSheMayOpen() async throws {
            try await GatewayHarness.with { h in
                let made = try await create(h, as: "hjemmesygeplejerske", "hjemmeplejenotat", ["municipality=0163"])
                #expect(made.status == 201, "\(made.text)")
                let id = try #require(made.json?["id"]?.stringValue)
                let municipality = try h.source("municipality")
                // Gudrun (1703589978) had two active services; both end.
                let plans = try String(
                    contentsOf: PlatformFixtures.repositoryRoot.appendingPathComponent("demo-data/municipality/CarePlan.ndjson"),
                    encoding: .utf8
                ).split(separator: "\n").compactMap { try? JSONValue.parse(Data($0.utf8)) }
                let gudruns = plans.filter {
                    $0["subject"]?["reference"]?.stringValue == "Patient/34ef3c2c-88b0-4497-a18b-bc338bdb3c27"
                        && $0["status"]?.stringValue == "active"
                }
                #expect(gudruns.count == 2)
                for var plan in gudruns {
                    plan["status"] = .string("completed")
                    _ = try municipality.change(plan)
                }
                func note(_ noteID: String, about patient: String) -> JSONValue {
                    J([
                        "resourceType": "Communication", "id": noteID, "status": "completed",
                        "subject": ["reference": "Patient/\(patient)"], "sent": "2026-11-23T09:00:00+01:00",
                        "payload": [["contentString": "Besøg: alt vel."]],
                    ])
                }
                _ = try municipality.change(note("gate-note-gudrun-1", about: "34ef3c2c-88b0-4497-a18b-bc338bdb3c27"))
                _ = try municipality.change(note("gate-note-nancy", about: GW.nancyMunicipality))
                func delivered() async throws -> [String] {
                    let events = try await h.get("/Subscription/\(id)/$events", as: "hjemmesygeplejerske")
                    var seen: [String] = []
                    for match in events.text.matches(of: /Communication\/(gate-note-[a-z0-9-]+)/)
                    where !seen.contains(String(match.1)) {
                        seen.append(String(match.1))
                    }
                    return seen
                }
                let deadline = ContinuousClock.now + .seconds(20)
                while try await !delivered().contains("gate-note-nancy"), ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                }
                let first = try await delivered()
                #expect(first == ["gate-note-nancy"])
                // Nor does her note reach the nurse by its number: the subscription counts one event.
                let status = try await h.get("/Subscription/\(id)/$status", as: "hjemmesygeplejerske")
                let parameters = status.json?["entry"]?.listValue.first?["resource"]?["parameter"]?.listValue ?? []
                let count = parameters.first { $0["name"]?.stringValue == "events-since-subscription-start" }
                #expect(count?["valueString"]?.stringValue == "1", "\(status.text)")

                // A service starts again: the next note about her is delivered.
                var plan = gudruns[0]
                plan["status"] = .string("active")
                _ = try municipality.change(plan)
                _ = try municipality.change(note("gate-note-gudrun-2", about: "34ef3c2c-88b0-4497-a18b-bc338bdb3c27"))
                while try await !delivered().contains("gate-note-gudrun-2"), ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                }
                let second = try await delivered()
                #expect(second == ["gate-note-nancy", "gate-note-gudrun-2"])
            }
        }

        /// A subscription stored before its owner's access was kept with it would deliver nothing behind the gateway;
        /// it is not offered for reuse, so the client makes a new one and gets the arrival.
        @Test func aSubscriptionFromBeforeTheAudienceIsNotReused() async throws {
            let directory = PlatformFixtures.temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            let storage = try SQLiteStorage(path: directory.appendingPathComponent("platform.sqlite").path)
            try await storage.migrate()
            let topic = try #require(EventTopic.named("akut-ankomst"))
            try await storage.insertSubscription(
                SubscriptionRecord(
                    id: "legacy-akut", topic: "akut-ankomst",
                    filters: try SubscriptionFilter.parse("organization=\(GW.akutHerlev)", topic: topic), channel: .sse,
                    owner: "akutlaege"))
            try await GatewayHarness.with(storage: storage) { h in
                #expect(h.engine.cachedSubscriptions().contains { $0.id == "legacy-akut" && $0.audience == nil })
                let listed = try await h.get("/Subscription", as: "akutlaege")
                #expect(listed.resources("Subscription").isEmpty, "\(listed.text)")
                let token = try await h.token("akutlaege")
                let made = try await SubscriptionSetup.ensure(
                    SubscriptionSetup.Wish(topic: "akut-ankomst", filters: ["organization=\(GW.akutHerlev)"], owner: "akutlaege"),
                    engineURL: h.base, token: { token })
                #expect(!made.reused)
                #expect(made.id != "legacy-akut")
                #expect(h.engine.cachedSubscriptions().first { $0.id == made.id }?.audience?.role == .edDoctor)
            }
        }

        /// The TUI's way in: `SubscriptionSetup` and `EventStreamClient` with the user's token get Bruno's arrival.
        @Test func theEventStreamWithATokenGetsTheArrival() async throws {
            try await GatewayHarness.with { h in
                let token = try await h.token("akutlaege")
                let access: AccessToken = { token }
                let wish = SubscriptionSetup.Wish(
                    topic: "akut-ankomst", filters: ["organization=\(GW.akutHerlev)"], owner: "akutlaege")
                let subscription = try await SubscriptionSetup.ensure(wish, engineURL: h.base, token: access)
                let again = try await SubscriptionSetup.ensure(wish, engineURL: h.base, token: access)
                #expect(again.id == subscription.id && again.reused)
                let client = EventStreamClient(engineURL: h.base, subscriptionID: subscription.id, lastEventID: 0, token: access)
                let arrival = Task { () -> EventNotification? in
                    for await update in client.updates() {
                        if case .notification(let event) = update { return event }
                    }
                    return nil
                }
                defer { arrival.cancel() }
                let encounter = J([
                    "resourceType": "Encounter", "id": "gw-sub-arrival", "status": "in-progress",
                    "class": ["system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "EMER"],
                    "subject": ["reference": "Patient/\(GW.brunoHospital)"],
                    "period": ["start": "2026-11-23T09:00:00+01:00"],
                    "serviceProvider": [
                        "identifier": ["system": "urn:oid:1.2.208.176.1.1", "value": GW.akutHerlev],
                        "display": "Akutmodtagelsen, Herlev",
                    ],
                ])
                _ = try h.source("hospital").change(encounter, topic: "akut-ankomst")
                let event = try await withThrowingTaskGroup(of: EventNotification?.self) { group in
                    group.addTask { await arrival.value }
                    group.addTask {
                        try await Task.sleep(for: .seconds(10))
                        return nil
                    }
                    let first = try await group.next() ?? nil
                    group.cancelAll()
                    return first
                }
                #expect(event?.cpr?.value == GW.bruno)
                #expect(event?.code == "STAA")
            }
        }
    }
}
