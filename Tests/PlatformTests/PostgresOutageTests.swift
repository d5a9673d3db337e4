import EventStream
import FHIR
import Foundation
import Logging
import Platform
import Testing

/// PostgreSQL stops in the middle of a run: the node says so in `/health`, refuses what it cannot log (503 with an
/// OperationOutcome, no data), and recovers by itself when the database is back; nothing acknowledged before the
/// outage is lost.
@Suite(.timeLimit(.minutes(3))) struct PostgresOutageTests {
    @Test("PostgreSQL stoppet midt i kørslen: 503 og intet udleveret uden log; af sig selv tilbage bagefter")
    func outageAndRecovery() async throws {
        let server = try await TestPostgres.OwnServer.start(in: PlatformFixtures.temporaryDirectory())
        var quiet = Logger(label: "test.storage")
        quiet.logLevel = .critical  // the outage is expected here, not news
        let storage = try PostgresStorage(url: server.url, timeout: .seconds(2), logger: quiet)
        defer { Task { await server.remove() } }
        try await GatewayHarness.with(storage: storage) { h in
            let bruno = "/sources/hospital/fhir/Patient/\(GW.brunoHospital)"
            #expect(try await h.get(bruno, as: "borger-bruno").status == 200)
            let subscription = try await h.send(
                "/Subscription", method: .POST,
                body: Subscriptions.resource(
                    topic: "akut-ankomst", filters: ["patient=\(PlatformFixtures.bruno)"], channel: "sse", endpoint: nil,
                    payload: nil, heartbeat: nil
                ).serialized(), headers: [("Authorization", "Bearer \(try await h.token("borger-bruno"))")])
            let id = try #require(subscription.json?["id"]?.stringValue, "subscription: \(subscription.text)")
            let arrival = Notifications.r4(
                base: h.sourceURLs["hospital"] ?? "", topic: "akut-ankomst", number: 1,
                focus: Notifications.encounter(id: "h-enc-outage", patientID: "p1"),
                patient: Notifications.patient(id: "p1", cpr: PlatformFixtures.bruno))
            #expect(
                try await h.send(
                    "/notify/hospital", method: .POST, body: arrival.serialized(), headers: h.notifyAuthorization("hospital")
                ).status == 200)
            #expect(try await h.send("/health").status == 200)
            let before = try await h.auditEntries().count

            try await server.stop()
            let health = try await h.send("/health")
            #expect(health.status == 503)
            #expect(health.json?["status"]?.stringValue == "unavailable")
            #expect(health.text.contains("PostgreSQL"), "the health answer says why: \(health.text)")
            let refused = try await h.get(bruno, as: "borger-bruno")
            #expect(refused.status == 503)
            #expect(refused.json?["resourceType"]?.stringValue == "OperationOutcome")
            #expect(!refused.text.contains("Elmer"), "no patient data without a log entry")
            let later = Notifications.r4(
                base: h.sourceURLs["hospital"] ?? "", topic: "akut-ankomst", number: 2,
                focus: Notifications.encounter(id: "h-enc-outage-2", patientID: "p1"),
                patient: Notifications.patient(id: "p1", cpr: PlatformFixtures.bruno))
            #expect(
                try await h.send(
                    "/notify/hospital", method: .POST, body: later.serialized(), headers: h.notifyAuthorization("hospital")
                ).status == 503)

            try await server.restart()
            #expect(
                await eventually(within: .seconds(30), every: .milliseconds(200)) {
                    (try? await h.send("/health").status) == 200
                }, "the node recovers by itself")
            #expect(try await h.get(bruno, as: "borger-bruno").status == 200)
            // The source retries what was refused; the event from before the outage is still there.
            #expect(
                try await h.send(
                    "/notify/hospital", method: .POST, body: later.serialized(), headers: h.notifyAuthorization("hospital")
                ).status == 200)
            let events = try await h.send(
                "/Subscription/\(id)/$events?eventsSinceNumber=1",
                headers: [("Authorization", "Bearer \(try await h.token("borger-bruno"))")])
            #expect(events.status == 200)
            #expect(try EventNotification.parse(bundle: events.body).events.map(\.number) == [1, 2])
            let audit = try await h.auditEntries()
            #expect(audit.count > before)
            #expect(AuditChain.verify(audit).broken == nil)
        }
    }
}
