import EventStream
import FHIR
import Foundation
import Platform
import Testing

/// The SSE channel: events in number order with `id:` = the event number; `Last-Event-ID` resumes after that number
/// with nothing lost and nothing twice; without it the stream starts now.
@Suite(.timeLimit(.minutes(3))) struct SSEChannelTests {
    /// The event numbers of SSE events, checked against the numbers inside their bundles.
    func numbers(_ events: [SSEParser.Event], sourceLocation: SourceLocation = #_sourceLocation) -> [Int64] {
        events.map { event in
            let inside = try? EventNotification.parse(bundle: Data(event.data.utf8)).events.map(\.number)
            #expect(
                inside == [Int64(event.id ?? "") ?? -1], "id: \(event.id ?? "none") but bundle says \(inside ?? [])",
                sourceLocation: sourceLocation)
            return Int64(event.id ?? "") ?? -1
        }
    }

    @Test func eventsArriveInOrderAndResumeAfterTheLastEventID() async throws {
        try await EngineHarness.with { harness in
            let subscription = try await harness.subscribe("akut-ankomst")
            let source = SourceSimulator(harness)
            for n in 1...3 { try await source.encounter("h-enc-\(n)", cpr: PlatformFixtures.bruno) }

            // From the start: what is stored, then what comes live.
            let first = try await SSEConnection.open(harness.base, subscription: subscription, lastEventID: "0")
            #expect(first.status == 200)
            #expect(numbers(await first.waitForNotifications(3)) == [1, 2, 3])
            #expect(first.events.all.first?.event == "handshake")
            for n in 4...6 { try await source.encounter("h-enc-\(n)", cpr: PlatformFixtures.bruno) }
            let all = await first.waitForNotifications(6)
            #expect(numbers(all) == [1, 2, 3, 4, 5, 6])
            #expect(all.allSatisfy { (try? EventNotification.parse(bundle: Data($0.data.utf8)).events.first?.code) == "STAA" })
            await first.close()

            // Gone for a while; two events happen; back with Last-Event-ID 5.
            for n in 7...8 { try await source.encounter("h-enc-\(n)", cpr: PlatformFixtures.bruno) }
            let second = try await SSEConnection.open(harness.base, subscription: subscription, lastEventID: "5")
            #expect(numbers(await second.waitForNotifications(3)) == [6, 7, 8])
            try await source.encounter("h-enc-9", cpr: PlatformFixtures.bruno)
            _ = await second.waitForNotifications(4)
            try await Task.sleep(for: .milliseconds(200))
            #expect(numbers(second.notifications) == [6, 7, 8, 9], "exactly 6...9, once each")
            await second.close()
        }
    }

    @Test func withoutLastEventIDTheStreamStartsNow() async throws {
        try await EngineHarness.with { harness in
            let subscription = try await harness.subscribe("akut-ankomst")
            let source = SourceSimulator(harness)
            for n in 1...2 { try await source.encounter("h-enc-\(n)", cpr: PlatformFixtures.bruno) }

            let connection = try await SSEConnection.open(harness.base, subscription: subscription)
            #expect(await connection.events.wait(for: 1).first?.event == "handshake")
            try await source.encounter("h-enc-3", cpr: PlatformFixtures.bruno)
            _ = await connection.waitForNotifications(1)
            try await Task.sleep(for: .milliseconds(200))
            #expect(numbers(connection.notifications) == [3])
            await connection.close()
        }
    }

    @Test func aLastEventIDAheadOfTheStreamGivesOnlyNewEvents() async throws {
        try await EngineHarness.with { harness in
            let subscription = try await harness.subscribe("akut-ankomst")
            let source = SourceSimulator(harness)
            try await source.encounter("h-enc-1", cpr: PlatformFixtures.bruno)
            let connection = try await SSEConnection.open(harness.base, subscription: subscription, lastEventID: "40")
            #expect(connection.status == 200)
            _ = await connection.events.wait(for: 1)
            try await source.encounter("h-enc-2", cpr: PlatformFixtures.bruno)
            #expect(numbers(await connection.waitForNotifications(1)) == [2])
            await connection.close()

            let bad = try await SSEConnection.open(harness.base, subscription: subscription, lastEventID: "abc")
            #expect(bad.status == 400)
            await bad.close()
        }
    }

    @Test func heartbeatsKeepAnIdleStreamAlive() async throws {
        try await EngineHarness.with { harness in
            let subscription = try await harness.subscribe("akut-ankomst", heartbeat: 1)
            let connection = try await SSEConnection.open(harness.base, subscription: subscription)
            let arrived = await eventually(within: .seconds(5)) {
                connection.events.all.contains { $0.event == "heartbeat" }
            }
            #expect(arrived, "a heartbeat within 5 s of a 1 s heartbeat period")
            let heartbeat = connection.events.all.first { $0.event == "heartbeat" }
            let parsed = try heartbeat.map { try EventNotification.parse(bundle: Data($0.data.utf8)) }
            #expect(parsed?.type == "heartbeat")
            #expect(parsed?.events.isEmpty == true)
            #expect(heartbeat?.id == nil, "a heartbeat must not move the client's Last-Event-ID")
            await connection.close()
        }
    }

    @Test func aDeletedSubscriptionEndsItsStreamAndIsGone() async throws {
        try await EngineHarness.with { harness in
            let subscription = try await harness.subscribe("akut-ankomst")
            let connection = try await SSEConnection.open(harness.base, subscription: subscription)
            _ = await connection.events.wait(for: 1)
            let deleted = try await HTTP.send("\(harness.base)/Subscription/\(subscription)", method: .DELETE)
            #expect(deleted.status == 200)
            #expect(await eventually(within: .seconds(5)) { connection.ended.isSet }, "the open stream ends")
            let again = try await SSEConnection.open(harness.base, subscription: subscription, lastEventID: "0")
            #expect(again.status == 410)
            await again.close()
            await connection.close()
        }
    }

    @Test func subscriptionSetupCreatesOnceAndThenReuses() async throws {
        try await EngineHarness.with { harness in
            let wish = SubscriptionSetup.Wish(
                topic: "akut-ankomst", filters: ["organization=\(PlatformFixtures.akutHerlev)"], owner: "akutlaege-herlev")
            let created = try await SubscriptionSetup.ensure(wish, engineURL: harness.base)
            #expect(!created.reused)
            try await SourceSimulator(harness).encounter("h-enc-1", cpr: PlatformFixtures.bruno)
            let again = try await SubscriptionSetup.ensure(wish, engineURL: harness.base)
            #expect(again.reused)
            #expect(again.id == created.id)
            #expect(again.eventCount == 1)
            let other = try await SubscriptionSetup.ensure(
                SubscriptionSetup.Wish(topic: "akut-ankomst", filters: [], owner: "akutlaege-herlev"), engineURL: harness.base)
            #expect(other.id != created.id)
            await #expect(throws: EventStreamError.self) {
                try await SubscriptionSetup.ensure(
                    SubscriptionSetup.Wish(topic: "ukendt-emne", filters: [], owner: "x"), engineURL: harness.base)
            }
        }
    }
}
