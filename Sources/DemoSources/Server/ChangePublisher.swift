import AsyncHTTPClient
import FHIR
import Foundation
import Logging
import NIOCore
import Synchronization
import Transport

/// Announces a demo source's changes to the event engine the way a real FHIR server with a backport rest-hook
/// subscription would: over HTTP, one R4 `Parameters`-form notification per change, numbered, full-resource
/// (the changed resource and its patient in the bundle), absolute references. Sent in order; a failed delivery is
/// retried with backoff until the engine takes it (the engine stores a repeated delivery once).
public final class ChangePublisher: Sendable {
    public let sourceID: String
    /// This run's subscription at the source: its numbering starts at 1 each time the source starts, so a new run
    /// is a new subscription (the engine keys a delivery by source, subscription, number and focus; with one name
    /// for every run, a platform that kept its storage would take a second run's events for repeats).
    let subscriptionID = "sundhedscloud-" + UUID().uuidString.prefix(8).lowercased()
    /// What this source sends (`Authorization: Bearer ...`) to prove to the engine that its notifications are its
    /// own: fresh at each start, 256 random bits; the engine is given only its SHA-256.
    public let notifySecret: String
    let store: ResourceStore
    let defaultClient: HTTPClient
    private let queue: AsyncStream<JSONValue>.Continuation
    private let stream: AsyncStream<JSONValue>
    private let state = Mutex<
        (number: Int64, notifyURL: String?, baseURL: String?, worker: Task<Void, Never>?, client: HTTPClient?)
    >((0, nil, nil, nil, nil))

    init(sourceID: String, store: ResourceStore, notifySecret: String? = nil, httpClient: HTTPClient = .shared) {
        self.sourceID = sourceID
        self.notifySecret = notifySecret ?? RandomSecret.make()
        self.store = store
        self.defaultClient = httpClient
        (stream, queue) = AsyncStream.makeStream(of: JSONValue.self, bufferingPolicy: .bufferingOldest(50_000))
    }

    /// Where to deliver (`http://127.0.0.1:8080/notify/hospital`) and this source's own base URL.
    /// - Parameter trust: what to verify the engine's certificate against (https; nil: the system store).
    func connect(notifyURL: String, baseURL: String, trust: ClientTLS? = nil) {
        let client: HTTPClient? = trust.map { trust in
            var configuration = HTTPClient.Configuration()
            configuration.tlsConfiguration = trust.configuration
            return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        }
        let (start, replaced) = state.withLock { state -> (Bool, HTTPClient?) in
            state.notifyURL = notifyURL
            state.baseURL = baseURL
            var replaced: HTTPClient?
            if let client {
                replaced = state.client
                state.client = client
            }
            return (state.worker == nil, replaced)
        }
        if let replaced { Task { try? await replaced.shutdown() } }
        guard start else { return }
        let worker = Task { await self.deliverAll() }
        state.withLock { $0.worker = worker }
    }

    var isConnected: Bool { state.withLock { $0.notifyURL != nil } }

    /// Queues the notification for a stored change.
    func publish(_ stored: StoredResource, topic: String?) {
        let (number, base) = state.withLock { state -> (Int64, String?) in
            state.number += 1
            return (state.number, state.baseURL)
        }
        guard let base else { return }
        queue.yield(notification(for: stored, number: number, base: base, topic: topic))
    }

    func stop() async {
        queue.finish()
        let worker = state.withLock { $0.worker }
        worker?.cancel()
        await worker?.value
        let client = state.withLock { state -> HTTPClient? in
            defer { state.client = nil }
            return state.client
        }
        try? await client?.shutdown()
    }

    private func deliverAll() async {
        for await bundle in stream {
            var delay = Duration.milliseconds(100)
            while !Task.isCancelled {
                guard let url = state.withLock({ $0.notifyURL }) else { break }
                if await post(bundle, to: url) { break }
                try? await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
            if Task.isCancelled { return }
        }
    }

    private func post(_ bundle: JSONValue, to url: String) async -> Bool {
        do {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/fhir+json")
            request.headers.add(name: "Authorization", value: "Bearer \(notifySecret)")
            request.body = .bytes(bundle.serialized())
            let client = state.withLock { $0.client } ?? defaultClient
            let response = try await client.execute(request, timeout: .seconds(5))
            _ = try? await response.body.collect(upTo: 1 << 20)
            // 4xx other than 429 will not get better by trying again: the engine said why (and logged it).
            return (200..<300).contains(response.status.code)
                || ((400..<500).contains(response.status.code) && response.status.code != 429)
        } catch {
            return false
        }
    }

    static func patientReference(_ json: JSONValue) -> String? {
        if let reference = json["subject"]?["reference"]?.stringValue ?? json["patient"]?["reference"]?.stringValue {
            return reference
        }
        let actors = (json["participant"]?.listValue ?? []).compactMap { $0["actor"]?["reference"]?.stringValue }
        return actors.first { $0.hasPrefix("Patient/") }
    }

    /// The notification bundle for one change.
    func notification(for stored: StoredResource, number: Int64, base: String, topic: String?) -> JSONValue {
        let focusURL = "\(base)/\(stored.type)/\(stored.id)"
        var patient: StoredResource?
        if stored.type == "Patient" {
            patient = nil
        } else if let reference = Self.patientReference(stored.json), reference.hasPrefix("Patient/") {
            patient = store.read(type: "Patient", id: String(reference.dropFirst("Patient/".count)))
        }
        var parts: [JSONValue] = [
            .object(["name": .string("event-number"), "valueString": .string(String(number))]),
            .object(["name": .string("timestamp"), "valueInstant": .string(stored.lastUpdated.text)]),
            .object(["name": .string("focus"), "valueReference": .object(["reference": .string(focusURL)])]),
        ]
        var entries: [JSONValue] = [.object(["fullUrl": .string(focusURL), "resource": stored.json])]
        if let patient {
            let patientURL = "\(base)/Patient/\(patient.id)"
            parts.append(
                .object(["name": .string("additional-context"), "valueReference": .object(["reference": .string(patientURL)])]))
            entries.append(.object(["fullUrl": .string(patientURL), "resource": patient.json]))
        }
        var parameters: [JSONValue] = [
            .object([
                "name": .string("subscription"),
                "valueReference": .object(["reference": .string("\(base)/Subscription/\(subscriptionID)")]),
            ]),
            .object(["name": .string("status"), "valueCode": .string("active")]),
            .object(["name": .string("type"), "valueCode": .string("event-notification")]),
            .object(["name": .string("events-since-subscription-start"), "valueString": .string(String(number))]),
            .object(["name": .string("notification-event"), "part": .array(parts)]),
        ]
        if let topic {
            parameters.insert(
                .object([
                    "name": .string("topic"),
                    "valueCanonical": .string("https://sundhedscloud.dk/fhir/SubscriptionTopic/\(topic)"),
                ]),
                at: 1)
        }
        let status: JSONValue = .object(["resourceType": .string("Parameters"), "parameter": .array(parameters)])
        return .object([
            "resourceType": .string("Bundle"),
            "type": .string("history"),
            "timestamp": .string(FHIRDateTime(date: Date()).text),
            "entry": .array(
                [.object(["fullUrl": .string("urn:uuid:\(UUID().uuidString.lowercased())"), "resource": status])] + entries),
        ])
    }
}
