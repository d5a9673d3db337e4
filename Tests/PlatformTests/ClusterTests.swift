import AsyncHTTPClient
import EventStream
import FHIR
import Foundation
import Platform
import Testing

/// Two platform nodes over one PostgreSQL database, each a real HTTP server on its own loopback port: an event
/// accepted by one reaches the other's subscribers at once, numbers agree on both, and the audit chain holds.
@Suite(.timeLimit(.minutes(3))) struct ClusterTests {
    /// Two engines (and their servers) on one fresh database.
    final class NodePair: StoppableHarness {
        let location: String
        let a: PlatformServer
        let b: PlatformServer

        init(location: String, a: PlatformServer, b: PlatformServer) {
            self.location = location
            self.a = a
            self.b = b
        }

        static func start() async throws -> NodePair {
            let location = try await TestPostgres.freshDatabase()
            let sources = ["hospital": PlatformFixtures.deadSourceBase]
            func node() async throws -> PlatformServer {
                let storage = try PlatformStorageLocation.open(location)
                return try await PlatformServer.start(
                    engine: EventEngine(
                        storage: storage, sources: sources, notifyCredentials: PlatformFixtures.notifyCredentials(sources.keys),
                        logger: PlatformFixtures.engineLogger))
            }
            let a = try await node()
            let b = try await node()
            return NodePair(location: location, a: a, b: b)
        }

        func stop() async {
            for server in [a, b] {
                await server.stop()
                await server.engine.storage.shutdown()
            }
        }
    }

    @Test("En ankomst modtaget af node A når straks en SSE-abonnent på node B")
    func arrivalReachesTheOtherNode() async throws {
        try await stopping(try await NodePair.start()) { nodes in
            // The subscription is created on A; B learns of it from the database.
            let created = try await SubscriptionSetup.ensure(
                SubscriptionSetup.Wish(topic: "akut-ankomst", filters: [], owner: "klynge"), engineURL: nodes.a.baseURL)
            let connection = try await SSEConnection.open(nodes.b.baseURL, subscription: created.id)
            #expect(connection.status == 200)
            let answer = try await HTTP.notify("\(nodes.a.baseURL)/notify/hospital", Notifications.arrival(1))
            #expect(answer.status == 200)
            // Within 5 s, while the feed's own look at storage comes only with the 10 s heartbeat: the wake-up
            // from node A (NOTIFY) brought it.
            let received = await connection.waitForNotifications(1, within: .seconds(5))
            #expect(received.count == 1)
            #expect(received.first?.id == "1")
            #expect(received.first?.data.contains(PlatformFixtures.bruno) == true)
            await connection.close()
        }
    }

    @Test("Samtidige notifikationer til begge noder: samme numre, $events og $status på begge, intet tabt")
    func concurrentAcceptsAgree() async throws {
        try await stopping(try await NodePair.start()) { nodes in
            let created = try await SubscriptionSetup.ensure(
                SubscriptionSetup.Wish(topic: "akut-ankomst", filters: [], owner: "klynge"), engineURL: nodes.b.baseURL)
            let onA = try await SSEConnection.open(nodes.a.baseURL, subscription: created.id)
            let onB = try await SSEConnection.open(nodes.b.baseURL, subscription: created.id)
            let total = 120
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    let base = worker % 2 == 0 ? nodes.a.baseURL : nodes.b.baseURL
                    group.addTask {
                        for n in stride(from: worker + 1, through: total, by: 4) {
                            let answer = try await HTTP.notify("\(base)/notify/hospital", Notifications.arrival(n))
                            guard answer.status == 200 else { throw TestFailure("notify: \(answer.status) \(answer.text)") }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let liveA = await onA.waitForNotifications(total, within: .seconds(20))
            let liveB = await onB.waitForNotifications(total, within: .seconds(20))
            #expect(liveA.map(\.id) == (1...total).map { String($0) })
            #expect(liveB.map(\.id) == (1...total).map { String($0) })
            // The same event behind each number on both nodes.
            func foci(_ events: [SSEParser.Event]) -> [String] {
                events.flatMap { event in
                    ((try? EventNotification.parse(bundle: Data(event.data.utf8)).events) ?? []).map {
                        "\($0.number) \($0.focus ?? "")"
                    }
                }
            }
            let fociA = foci(liveA)
            #expect(fociA.count == total)
            #expect(fociA == foci(liveB))
            let harnessA = SubscriptionQueries(base: nodes.a.baseURL)
            let harnessB = SubscriptionQueries(base: nodes.b.baseURL)
            #expect(try await harnessA.eventCount(created.id) == Int64(total))
            #expect(try await harnessB.eventCount(created.id) == Int64(total))
            let eventsA = try await harnessA.events(created.id).map { "\($0.number) \($0.focus ?? "")" }
            let eventsB = try await harnessB.events(created.id).map { "\($0.number) \($0.focus ?? "")" }
            #expect(eventsA.count == total)
            #expect(eventsA == eventsB)
            #expect(eventsA == fociA)
            await onA.close()
            await onB.close()
        }
    }

    @Test("Et abonnement slået fra på node A lukker dets forbindelse på node B")
    func turnedOffOnOneNodeClosesOnTheOther() async throws {
        try await stopping(try await NodePair.start()) { nodes in
            let created = try await SubscriptionSetup.ensure(
                SubscriptionSetup.Wish(topic: "akut-ankomst", filters: [], owner: "klynge"), engineURL: nodes.a.baseURL)
            let onB = try await SSEConnection.open(nodes.b.baseURL, subscription: created.id)
            let answer = try await HTTP.send("\(nodes.a.baseURL)/Subscription/\(created.id)", method: .DELETE)
            #expect(answer.status == 200 || answer.status == 204)
            #expect(await eventually(within: .seconds(5)) { onB.ended.isSet }, "B closed the stream")
            await onB.close()
        }
    }

    @Test("Adgangsloggen: 10.000 poster skrevet samtidigt af to noder giver én hel kæde")
    func auditChainAcrossNodes() async throws {
        let location = try await TestPostgres.freshDatabase()
        let first = try PlatformStorageLocation.open(location)
        let second = try PlatformStorageLocation.open(location)
        try await first.migrate()
        try await second.migrate()
        let identity = Identity(id: "akutlaege", name: "Anna Akut", role: .doctor)
        let perWriter = 1250
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                let node = writer % 2 == 0 ? first : second
                group.addTask {
                    for index in 0..<perWriter {
                        _ = try await node.appendAudit(
                            AuditEntry(
                                identity: identity, patientCPR: PlatformFixtures.bruno, sourceID: "hospital",
                                resourceTypes: ["Encounter"], action: "search", purpose: "TREAT", outcome: "success",
                                reason: nil, emergency: index % 100 == 0, client: "node-\(writer % 2)"))
                    }
                }
            }
            try await group.waitForAll()
        }
        let all = try await second.auditChain()
        #expect(all.count == 8 * perWriter)
        #expect(AuditChain.verify(all).broken == nil)
        #expect(Set(all.compactMap(\.client)) == ["node-0", "node-1"])
        await first.shutdown()
        await second.shutdown()
    }
}
