import Assembly
import AsyncHTTPClient
import EventStream
import FHIR
import Federation
import Foundation
import OverblikApp
import Platform
import Synchronization

/// The event engine end to end on loopback: a source POSTs notifications at a fixed rate, the engine numbers and
/// stores them, 100 SSE subscribers (each its own subscription and `EventStreamClient`) put them into a TUI model.
/// Latency is from the start of the source's POST to the notification in the model.
enum EventBench {
    static func run(rate: Int, seconds: Int, subscribers: Int, report: inout BenchReport) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("overblik-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let storage = try SQLiteStorage(path: folder.appendingPathComponent("platform.sqlite").path)
        let server = try await node(storage)
        try await measure(
            postTo: server.baseURL, listenOn: server.baseURL, rate: rate, seconds: seconds, subscribers: subscribers,
            prefix: "events", report: &report)
        await server.stop()
    }

    /// One platform node (engine only) on `storage`, on a free loopback port.
    static func node(_ storage: any PlatformStorage) async throws -> PlatformServer {
        var node = PlatformAssembly.Configuration(storage: storage, tokens: try await TokenAuthority.ephemeral())
        node.sources = [SourceDefinition(id: "bench", name: "Bench", sector: .hospital, fhir: "http://127.0.0.1:9/fhir")]
        node.notifyCredentials = NotifyCredentials(secrets: ["bench": notifySecret])
        node.gateway = false
        return try await PlatformAssembly.start(node)
    }

    /// The bench source's notification secret (a node's engine knows its hash).
    static let notifySecret = NotifyCredentials.makeSecret()

    /// Posts at `rate` to the node at `postTo` while `subscribers` SSE clients listen on the node at `listenOn` (the
    /// same node, or another over the same database); then a burst for events/s. Figures under `prefix_`.
    static func measure(
        postTo post: String, listenOn base: String, rate: Int, seconds: Int, subscribers: Int, prefix: String,
        report: inout BenchReport
    ) async throws {
        var ids: [String] = []
        for index in 0..<subscribers {
            let wish = SubscriptionSetup.Wish(topic: "akut-ankomst", filters: [], owner: "bench-\(index)")
            ids.append(try await SubscriptionSetup.ensure(wish, engineURL: base).id)
        }
        // One connection per SSE stream: AsyncHTTPClient's pool allows 8 per host unless told otherwise.
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = subscribers + 32
        let streams = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let sent = SendTimes()
        let received = Received()
        let clock = ContinuousClock()
        var listeners: [Task<Void, Never>] = []
        let connected = Received()
        for id in ids {
            let client = EventStreamClient(engineURL: base, subscriptionID: id, lastEventID: 0, httpClient: streams)
            listeners.append(
                Task {
                    var model = Model()
                    for await update in client.updates() {
                        if case .state(.live) = update { connected.add(0) }
                        _ = Update.update(&model, .stream(update))
                        if case .notification(let event) = update, let focus = event.focus, let start = sent.time(focus) {
                            received.add((clock.now - start).milliseconds)
                        }
                    }
                })
        }
        while connected.count < subscribers { try await Task.sleep(for: .milliseconds(20)) }

        // Fixed rate: one POST every 1/rate s, each in its own task so a slow answer does not shift the schedule.
        let total = rate * seconds
        let interval = Duration.seconds(1) / rate
        let started = clock.now
        await withTaskGroup(of: Void.self) { group in
            for number in 1...total {
                let due = started + interval * number
                try? await Task.sleep(until: due, clock: .continuous)
                group.addTask {
                    let focus = "http://127.0.0.1:9/fhir/Encounter/bench-\(number)"
                    sent.set(focus, clock.now)
                    _ = try? await Self.post(post, notification(number: number, focus: focus))
                }
            }
        }
        let expected = total * subscribers
        let deadline = clock.now + .seconds(30)
        while received.count < expected, clock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let samples = received.values
        report.add("\(prefix)_rate_per_s", Double(rate))
        report.add("\(prefix)_subscribers", Double(subscribers))
        report.add("\(prefix)_sent", Double(total))
        report.add("\(prefix)_delivered", Double(samples.count))
        report.add("\(prefix)_lost", Double(max(0, expected - samples.count)))
        report.add("\(prefix)_source_to_model_p50_ms", BenchReport.percentile(samples, 0.50))
        report.add("\(prefix)_source_to_model_p99_ms", BenchReport.percentile(samples, 0.99))
        report.add("\(prefix)_source_to_model_max_ms", samples.max() ?? 0)

        // Throughput: as fast as 16 concurrent posters can go, with the subscribers still connected.
        let burst = 3000
        let burstStart = clock.now
        let next = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    while true {
                        let number = next.next()
                        guard number <= burst else { return }
                        let focus = "http://127.0.0.1:9/fhir/Encounter/burst-\(number)"
                        _ = try? await Self.post(post, notification(number: total + number, focus: focus))
                    }
                }
            }
        }
        report.add("\(prefix)_accepted_per_s", Double(burst) / (clock.now - burstStart).milliseconds * 1000)
        for listener in listeners { listener.cancel() }
        try? await streams.shutdown()
    }

    static func post(_ base: String, _ body: [UInt8]) async throws -> Int {
        var request = HTTPClientRequest(url: "\(base)/notify/bench")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/fhir+json")
        request.headers.add(name: "Authorization", value: "Bearer \(notifySecret)")
        request.body = .bytes(body)
        let response = try await posting.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    static let posting: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// A full-resource R4 notification for an acute arrival (the Encounter and its Patient in the bundle).
    static func notification(number: Int, focus: String) -> [UInt8] {
        let patientURL = "http://127.0.0.1:9/fhir/Patient/1000"
        let bundle: JSONValue = .object([
            "resourceType": .string("Bundle"), "type": .string("history"),
            "entry": .array([
                .object([
                    "resource": .object([
                        "resourceType": .string("Parameters"),
                        "parameter": .array([
                            .object([
                                "name": .string("subscription"),
                                "valueReference": .object(["reference": .string("Subscription/bench")]),
                            ]),
                            .object([
                                "name": .string("topic"), "valueCanonical": .string(EventTopic.canonicalBase + "akut-ankomst"),
                            ]),
                            .object(["name": .string("status"), "valueCode": .string("active")]),
                            .object(["name": .string("type"), "valueCode": .string("event-notification")]),
                            .object([
                                "name": .string("notification-event"),
                                "part": .array([
                                    .object(["name": .string("event-number"), "valueString": .string(String(number))]),
                                    .object(["name": .string("focus"), "valueReference": .object(["reference": .string(focus)])]),
                                ]),
                            ]),
                        ]),
                    ])
                ]),
                .object([
                    "fullUrl": .string(focus),
                    "resource": .object([
                        "resourceType": .string("Encounter"), "id": .string("bench-\(number)"),
                        "status": .string("in-progress"), "class": .object(["code": .string("EMER")]),
                        "subject": .object(["reference": .string("Patient/1000")]),
                        "serviceProvider": .object([
                            "identifier": .object(["system": .string(DanishSystems.sor), "value": .string("953741000016013")]),
                            "display": .string("Akutmodtagelsen, Herlev"),
                        ]),
                    ]),
                ]),
                .object([
                    "fullUrl": .string(patientURL),
                    "resource": .object([
                        "resourceType": .string("Patient"), "id": .string("1000"),
                        "identifier": .array([.object(["system": .string(DanishSystems.cpr), "value": .string("2509479989")])]),
                    ]),
                ]),
            ]),
        ])
        return bundle.serialized()
    }

    final class SendTimes: Sendable {
        private let times = Mutex<[String: ContinuousClock.Instant]>([:])
        func set(_ key: String, _ time: ContinuousClock.Instant) { times.withLock { $0[key] = time } }
        func time(_ key: String) -> ContinuousClock.Instant? { times.withLock { $0[key] } }
    }

    final class Received: Sendable {
        private let samples = Mutex<[Double]>([])
        func add(_ value: Double) { samples.withLock { $0.append(value) } }
        var count: Int { samples.withLock { $0.count } }
        var values: [Double] { samples.withLock { $0 } }
    }

    final class Counter: Sendable {
        private let value = Mutex(0)
        func next() -> Int {
            value.withLock {
                $0 += 1; return $0
            }
        }
    }
}
