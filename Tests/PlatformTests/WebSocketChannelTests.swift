import EventStream
import FHIR
import Foundation
import HummingbirdWSClient
import Logging
import NIOWebSocket
import Platform
import Testing

/// The backport websocket channel: a binding token from `$get-ws-binding-token`, `bind-with-token: …` as the first
/// message, a handshake bundle back, then one notification bundle per event. A bad token is refused.
@Suite(.timeLimit(.minutes(3))) struct WebSocketChannelTests {
    static let logger: Logger = {
        var logger = Logger(label: "ws-test-client")
        logger.logLevel = .warning
        return logger
    }()

    /// A websocket client that sends `first`, then collects text messages until `stop` many or the server closes.
    final class Client: Sendable {
        let messages = Collected<String>()
        let task: Task<WebSocketCloseFrame?, any Error>

        init(url: String, first: String, stopAfter limit: Int) {
            let messages = self.messages
            task = Task {
                try await WebSocketClient.connect(url: url, logger: WebSocketChannelTests.logger) { inbound, outbound, _ in
                    try await outbound.write(.text(first))
                    for try await message in inbound.messages(maxSize: 4 << 20) {
                        if case .text(let text) = message { messages.append(text) }
                        if messages.count >= limit { break }
                    }
                }
            }
        }

        /// The parsed bundles received so far.
        var bundles: [(type: String, eventsSinceStart: Int64?, events: [EventNotification])] {
            messages.all.compactMap { try? EventNotification.parse(bundle: Data($0.utf8)) }
        }

        /// Waits for the connection to end (at most `timeout`; then it is cancelled).
        func finish(within timeout: Duration = .seconds(5)) async -> WebSocketCloseFrame? {
            let watchdog = Task {
                try await Task.sleep(for: timeout)
                task.cancel()
            }
            defer { watchdog.cancel() }
            return try? await task.value
        }
    }

    /// `$get-ws-binding-token`: the token and the websocket URL.
    func bindingToken(_ harness: EngineHarness, _ subscription: String) async throws -> (token: String, url: String) {
        let answer = try await HTTP.send(
            "\(harness.base)/Subscription/\(subscription)/$get-ws-binding-token", method: .POST)
        try #require(answer.status == 200, "\(answer.text)")
        let parameters = answer.json?["parameter"]?.listValue ?? []
        func value(_ name: String, _ key: String) -> String? {
            parameters.first { $0["name"]?.stringValue == name }?[key]?.stringValue
        }
        let token = try #require(value("token", "valueString"))
        let url = try #require(value("websocket-url", "valueUrl"))
        #expect(value("subscription", "valueString") == subscription)
        #expect(value("expiration", "valueDateTime") != nil)
        return (token, url)
    }

    @Test func aBoundSocketGetsTheHandshakeAndThenEachEvent() async throws {
        try await EngineHarness.with { harness in
            let subscription = try await harness.subscribe("akut-ankomst", channel: "websocket")
            let source = SourceSimulator(harness)
            try await source.encounter("h-enc-0", cpr: PlatformFixtures.bruno)
            let (token, url) = try await bindingToken(harness, subscription)
            #expect(url == harness.base.replacingOccurrences(of: "http://", with: "ws://") + "/ws")

            let client = Client(url: url, first: "bind-with-token: \(token)", stopAfter: 4)
            let handshake = await client.messages.wait(for: 1).first.flatMap {
                try? EventNotification.parse(bundle: Data($0.utf8))
            }
            #expect(handshake?.type == "handshake")
            #expect(handshake?.eventsSinceStart == 1, "the handshake says where the stream stands")
            for n in 1...3 { try await source.encounter("h-enc-\(n)", cpr: PlatformFixtures.bruno) }
            _ = await client.messages.wait(for: 4)
            _ = await client.finish()

            let bundles = client.bundles
            #expect(bundles.map(\.type) == ["handshake", "event-notification", "event-notification", "event-notification"])
            #expect(bundles.dropFirst().flatMap { $0.events.map(\.number) } == [2, 3, 4])
            #expect(bundles.dropFirst().flatMap { $0.events.map(\.code) } == ["STAA", "STAA", "STAA"])
            #expect(bundles.dropFirst().allSatisfy { $0.events.first?.cpr?.value == PlatformFixtures.bruno })
        }
    }

    @Test func aBadTokenIsRefused() async throws {
        try await EngineHarness.with { harness in
            let subscription = try await harness.subscribe("akut-ankomst", channel: "websocket")
            let (_, url) = try await bindingToken(harness, subscription)

            let client = Client(url: url, first: "bind-with-token: 0123456789abcdef", stopAfter: 10)
            let close = await client.finish()
            #expect(client.messages.all == ["error: unknown or expired token"])
            #expect(close?.closeCode == .policyViolation)

            let unbound = Client(url: url, first: "hello", stopAfter: 10)
            let closed = await unbound.finish()
            #expect(unbound.messages.all.first?.hasPrefix("error:") == true)
            #expect(closed?.closeCode != nil && closed?.closeCode != .normalClosure)
        }
    }

    @Test func onlyWebsocketSubscriptionsGetTokens() async throws {
        try await EngineHarness.with { harness in
            let subscription = try await harness.subscribe("akut-ankomst", channel: "sse")
            let answer = try await HTTP.send(
                "\(harness.base)/Subscription/\(subscription)/$get-ws-binding-token", method: .POST)
            #expect(answer.status == 400)
            #expect(answer.diagnostics.contains("websocket"), "\(answer.text)")
        }
    }
}
