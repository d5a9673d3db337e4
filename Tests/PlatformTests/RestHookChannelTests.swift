import EventStream
import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Platform
import ServiceLifecycle
import Testing

/// The rest-hook channel: the subscriber's endpoint gets a handshake, then the numbered notifications in order. An
/// endpoint that keeps failing puts the subscription in error with a message; nothing is lost meanwhile, and
/// setting it active again delivers what was missed.
@Suite(.timeLimit(.minutes(3))) struct RestHookChannelTests {
    /// A subscriber's rest-hook endpoint on a free loopback port; answers 500 while `failing`.
    final class Endpoint: Sendable {
        /// The bundles it accepted (answered 200), in the order they came.
        let accepted: Collected<JSONValue>
        let attempts: Locked<Int>
        let failing: Locked<Bool>
        /// How long it takes to answer (nil: at once).
        let delay: Locked<Duration?>
        let headers: Collected<String>
        let server: LoopbackServer
        var port: Int { server.port }

        var url: String { "http://127.0.0.1:\(port)/hook" }

        init() async throws {
            let accepted = Collected<JSONValue>()
            let attempts = Locked(0)
            let failing = Locked(false)
            let delay = Locked<Duration?>(nil)
            let headers = Collected<String>()
            server = try await LoopbackServer(label: "rest-hook-endpoint") { router in
                router.post("/hook") { request, _ -> Response in
                    var request = request
                    let body = try await request.collectBody(upTo: 16 << 20)
                    attempts.withLock { $0 += 1 }
                    if let delay = delay.value { try await Task.sleep(for: delay) }
                    if failing.value { return Response(status: .internalServerError) }
                    if let value = request.headers[HTTPField.Name("X-Test")!] { headers.append(value) }
                    accepted.append(try JSONValue.parse(Data(buffer: body)))
                    return Response(status: .ok)
                }
            }
            self.accepted = accepted
            self.attempts = attempts
            self.delay = delay
            self.failing = failing
            self.headers = headers
        }

        func stop() async {
            await server.stop()
        }

        /// The accepted bundles as (type, event numbers).
        var received: [(type: String, numbers: [Int64])] {
            accepted.all.compactMap { bundle in
                guard let parsed = try? EventNotification.parse(bundle: Data(bundle.serialized())) else { return nil }
                return (parsed.type, parsed.events.map(\.number))
            }
        }
    }

    @Test func theEndpointGetsTheHandshakeThenEachEventInOrder() async throws {
        let endpoint = try await Endpoint()
        try await EngineHarness.with { harness in
            let answer = try await HTTP.post(
                "\(harness.base)/Subscription",
                Subscriptions.resource(topic: "akut-ankomst", channel: "rest-hook", endpoint: endpoint.url))
            #expect(answer.status == 201)
            let subscription = try #require(answer.json?["id"]?.stringValue)
            #expect(answer.json?["status"]?.stringValue == "active")
            #expect(endpoint.received.map(\.type) == ["handshake"], "the handshake comes before the subscription is made")

            let source = SourceSimulator(harness)
            for n in 1...5 { try await source.encounter("h-enc-\(n)", cpr: PlatformFixtures.bruno) }
            _ = await endpoint.accepted.wait(for: 6)

            let received = endpoint.received
            #expect(received.map(\.type) == ["handshake"] + Array(repeating: "event-notification", count: 5))
            #expect(received.flatMap(\.numbers) == [1, 2, 3, 4, 5])
            #expect(try await harness.subscription(subscription)["status"]?.stringValue == "active")
        }
        await endpoint.stop()
    }

    @Test func aFailingEndpointPutsTheSubscriptionInErrorAndActiveAgainDeliversWhatWasMissed() async throws {
        let endpoint = try await Endpoint()
        let policy = RestHookPolicy(delays: [.milliseconds(50), .milliseconds(50)])
        try await EngineHarness.with(restHook: policy) { harness in
            let subscription = try await harness.subscribe("akut-ankomst", channel: "rest-hook", endpoint: endpoint.url)
            let source = SourceSimulator(harness)
            endpoint.failing.value = true

            try await source.encounter("h-enc-1", cpr: PlatformFixtures.bruno)
            let inError = try await eventually(within: .seconds(10)) {
                try await harness.subscription(subscription)["status"]?.stringValue == "error"
            }
            #expect(inError, "the subscription goes into error when the endpoint keeps failing")
            let resource = try await harness.subscription(subscription)
            let message = resource["error"]?.stringValue ?? ""
            #expect(message.contains("HTTP 500"), "\(message)")
            #expect(message.contains("$events"), "the message says how to get the events: \(message)")
            #expect(endpoint.attempts.value == 1 + 3, "the handshake, then one try and one per delay")

            // Events keep being numbered for a subscription in error.
            for n in 2...3 { try await source.encounter("h-enc-\(n)", cpr: PlatformFixtures.bruno) }
            #expect(try await harness.events(subscription).map(\.number) == [1, 2, 3])
            #expect(endpoint.received.map(\.type) == ["handshake"])

            endpoint.failing.value = false
            let put = try await HTTP.send(
                "\(harness.base)/Subscription/\(subscription)", method: .PUT,
                body: J(["resourceType": "Subscription", "status": "active"]).serialized())
            #expect(put.status == 200, "\(put.text)")
            #expect(put.json?["status"]?.stringValue == "active")
            _ = await endpoint.accepted.wait(for: 4)
            try await source.encounter("h-enc-4", cpr: PlatformFixtures.bruno)
            _ = await endpoint.accepted.wait(for: 5)

            #expect(endpoint.received.flatMap(\.numbers) == [1, 2, 3, 4], "what was missed, in order, then the new one")
            let after = try await harness.subscription(subscription)
            #expect(after["status"]?.stringValue == "active")
            #expect(after["error"] == nil)
        }
        await endpoint.stop()
    }

    @Test func anEndpointThatDoesNotAnswerTheHandshakeIsAnError() async throws {
        try await EngineHarness.with { harness in
            let answer = try await HTTP.post(
                "\(harness.base)/Subscription",
                Subscriptions.resource(topic: "akut-ankomst", channel: "rest-hook", endpoint: "http://127.0.0.1:9/hook"))
            #expect(answer.status == 201)
            #expect(answer.json?["status"]?.stringValue == "error")
            #expect(answer.json?["error"]?.stringValue?.contains("afviste forbindelsen") == true, "\(answer.text)")
        }
    }

    @Test func headersAreSent() async throws {
        let endpoint = try await Endpoint()
        try await EngineHarness.with(restHook: RestHookPolicy(delays: [.milliseconds(50)])) { harness in
            var resource = Subscriptions.resource(topic: "akut-ankomst", channel: "rest-hook", endpoint: endpoint.url)
            if case .object(var object) = resource, case .object(var channel) = object["channel"] {
                channel["header"] = J(["X-Test: hemmelig"])
                object["channel"] = .object(channel)
                resource = .object(object)
            }
            let answer = try await HTTP.post("\(harness.base)/Subscription", resource)
            #expect(answer.json?["status"]?.stringValue == "active", "\(answer.text)")
            try await SourceSimulator(harness).encounter("h-enc-1", cpr: PlatformFixtures.bruno)
            _ = await endpoint.accepted.wait(for: 2)
            #expect(endpoint.received.flatMap(\.numbers) == [1])
            #expect(endpoint.headers.all == ["hemmelig", "hemmelig"], "on the handshake and on the notification")
        }
        await endpoint.stop()
    }

    @Test func aSubSecondTimeoutCutsOffAnEndpointThatDoesNotAnswer() async throws {
        let endpoint = try await Endpoint()
        endpoint.delay.value = .seconds(20)
        // The default timeout is 5 s; a 300 ms one must not be rounded to whole seconds (or to nothing).
        let policy = RestHookPolicy(delays: [.milliseconds(50)], timeout: .milliseconds(300))
        try await EngineHarness.with(restHook: policy) { harness in
            let started = ContinuousClock.now
            let answer = try await HTTP.post(
                "\(harness.base)/Subscription",
                Subscriptions.resource(topic: "akut-ankomst", channel: "rest-hook", endpoint: endpoint.url))
            let elapsed = ContinuousClock.now - started
            #expect(answer.status == 201)
            #expect(answer.json?["status"]?.stringValue == "error", "the handshake was not answered in time")
            let message = answer.json?["error"]?.stringValue ?? ""
            #expect(message.contains("svarede ikke inden for 300 ms"), "\(message)")
            #expect(elapsed >= .milliseconds(300), "the endpoint was given its 300 ms (\(elapsed))")
            // A busy test machine may take seconds to answer; the endpoint itself would take 20.
            #expect(elapsed < .seconds(15), "cut off by the timeout, not by the endpoint's answer (\(elapsed))")
            #expect(endpoint.attempts.value == 1)
        }
        await endpoint.stop()
    }
}
