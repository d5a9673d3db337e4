import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1
import Words

/// The event engine's HTTP API: notifications in, topics, subscriptions, `$status`, `$events`,
/// `$get-ws-binding-token`, the SSE stream and the websocket.
public struct EngineRoutes: Sendable {
    public typealias Context = PlatformRequestContext
    let engine: EventEngine
    /// With a gateway: subscriptions belong to the authenticated user and keep to their patients.
    let gateway: Gateway?
    /// Whether the node listens with TLS; `/health` says so, and warns when it does not.
    let encrypted: Bool

    public init(engine: EventEngine, gateway: Gateway? = nil, encrypted: Bool = false) {
        self.engine = engine
        self.gateway = gateway
        self.encrypted = encrypted
    }

    static let lastEventID = HTTPField.Name("Last-Event-ID")!
    static let maxNotification = 4 << 20

    public func add(to router: Router<Context>) {
        let engine = self.engine
        router.post("/notify/:source") { request, context -> Response in
            let source = context.parameters.get("source") ?? ""
            return await Self.answer {
                try engine.notifyCredentials.check(source: source, authorization: request.headers[.authorization])
                let body = try await Self.body(request, limit: Self.maxNotification)
                let summary = try await engine.accept(sourceID: source, body: body)
                var message = Phrase(
                    "outcome.received", ["type": .text(summary.type), "count": .integer(summary.stored)])
                if summary.duplicates > 0 {
                    message = Phrase(
                        "outcome.received-duplicates",
                        ["received": .phrase(message), "count": .integer(summary.duplicates)])
                }
                if !summary.ignored.isEmpty {
                    message = Phrase(
                        "outcome.received-ignored", ["received": .phrase(message), "ignored": .list(summary.ignored)])
                }
                return FHIRResponse.information(message)
            }
        }
        let encrypted = self.encrypted
        let checkpoints = gateway?.checkpoints
        router.get("/health") { _, _ -> Response in
            await Self.health(engine, encrypted: encrypted, checkpoints: checkpoints)
        }
        router.get("/health/ready") { _, _ -> Response in
            await Self.health(engine, encrypted: encrypted, checkpoints: checkpoints)
        }
        router.get("/health/live") { _, _ -> Response in
            FHIRResponse.json(.object(["status": .string("ok")]))
        }
        router.get("/SubscriptionTopic") { request, _ -> Response in
            FHIRResponse.json(
                FHIRResponse.searchset(EventTopic.all.map(\.resource), selfURL: engine.publicBase + "/SubscriptionTopic"))
        }
        router.get("/SubscriptionTopic/:slug") { _, context -> Response in
            guard let topic = context.parameters.get("slug").flatMap(EventTopic.named) else {
                return FHIRResponse.error(.notFound("Ukendt emne"))
            }
            return FHIRResponse.json(topic.resource)
        }
        let gateway = self.gateway
        router.post("/Subscription") { request, context -> Response in
            await Self.answer {
                let body = try await Self.body(request, limit: 1 << 20)
                let identity = context.identity
                var check: (@Sendable (SubscriptionRecord) async throws(GatewayDenial) -> Void)?
                if let gateway {
                    let relationships = gateway.relationships
                    check = { @Sendable record throws(GatewayDenial) in
                        guard let identity else { throw .unauthenticated(Phrase("denial.log-in")) }
                        // An app subscribes only to what its scopes let it read.
                        try await gateway.appMaySubscribe(
                            identity, topicTypes: EventTopic.named(record.topic)?.resourceTypes ?? [])
                        try await SubscriptionPolicy.check(record, identity: identity, relationships: relationships)
                    }
                }
                let record = try await engine.createSubscription(
                    body, owner: identity?.id, audience: identity?.accessScope, check: check)
                return FHIRResponse.json(
                    SubscriptionRequest.resource(record), status: .created,
                    headers: [.location: "\(engine.publicBase)/Subscription/\(record.id)"])
            }
        }
        router.get("/Subscription") { request, context -> Response in
            // Behind a gateway a user sees their own subscriptions only.
            let owner = context.identity?.id ?? request.uri.queryParameters.get("owner")
            // Behind a gateway, a subscription stored before its owner's access was kept with it delivers nothing
            // (`DeliveryGate`): it is not offered for reuse, so the client makes a new one that does.
            let gated = context.identity != nil
            let records = engine.cachedSubscriptions().filter {
                (owner == nil || $0.owner == owner) && (!gated || $0.audience != nil)
            }.sorted { $0.created < $1.created }
            return FHIRResponse.json(
                FHIRResponse.searchset(records.map(SubscriptionRequest.resource), selfURL: engine.publicBase + "/Subscription"))
        }
        router.get("/Subscription/:id") { _, context -> Response in
            await Self.answer {
                FHIRResponse.json(SubscriptionRequest.resource(try await engine.subscription(context.parameters.get("id") ?? "")))
            }
        }
        router.put("/Subscription/:id") { request, context -> Response in
            await Self.answer {
                let body = try await Self.body(request, limit: 1 << 20)
                guard let json = try? JSONValue.parse(body), let text = json["status"]?.stringValue,
                    let status = SubscriptionRecord.Status(rawValue: text)
                else {
                    throw PlatformError.invalid(Phrase("outcome.subscription-only-status"), expression: "Subscription.status")
                }
                return FHIRResponse.json(
                    SubscriptionRequest.resource(try await engine.setStatus(context.parameters.get("id") ?? "", to: status)))
            }
        }
        router.delete("/Subscription/:id") { _, context -> Response in
            await Self.answer {
                _ = try await engine.setStatus(context.parameters.get("id") ?? "", to: .off)
                return FHIRResponse.information(Phrase("outcome.subscription-off"))
            }
        }
        router.on("/Subscription/:id/$status", method: .get) { _, context in
            await Self.answer {
                let record = try await engine.subscription(context.parameters.get("id") ?? "")
                let status = NotificationBundle.build(
                    subscription: record, type: "query-status", eventsSinceStart: record.eventCount, events: [],
                    engineBase: engine.publicBase)
                return FHIRResponse.json(Self.searchsetOfStatus(status))
            }
        }
        for method in [HTTPRequest.Method.get, .post] {
            router.on("/Subscription/:id/$events", method: method) { request, context in
                await Self.answer { try await Self.events(engine, request: request, id: context.parameters.get("id") ?? "") }
            }
            router.on("/Subscription/:id/$get-ws-binding-token", method: method) { _, context in
                await Self.answer {
                    let token = try await engine.bindingToken(for: context.parameters.get("id") ?? "")
                    let wsBase = engine.publicBase.replacingOccurrences(of: "http", with: "ws", options: .anchored)
                    let parameters: JSONValue = .object([
                        "resourceType": .string("Parameters"),
                        "parameter": .array([
                            .object(["name": .string("token"), "valueString": .string(token.token)]),
                            .object([
                                "name": .string("expiration"),
                                "valueDateTime": .string(FHIRDateTime(date: token.expires).text),
                            ]),
                            .object(["name": .string("subscription"), "valueString": .string(token.subscriptionID)]),
                            .object(["name": .string("websocket-url"), "valueUrl": .string(wsBase + "/ws")]),
                        ]),
                    ])
                    return FHIRResponse.json(parameters)
                }
            }
        }
        router.get("/Subscription/:id/$sse") { request, context -> Response in
            await Self.answer { try await Self.sse(engine, request: request, id: context.parameters.get("id") ?? "") }
        }
        router.ws("/ws") { _, _ in
            .upgrade([:])
        } onUpgrade: { inbound, outbound, _ in
            try await WebSocketChannelHandler(engine: engine).run(inbound: inbound, outbound: outbound)
        }
    }

    /// Runs `work`; a PlatformError becomes its OperationOutcome, anything else a 500 with the reason.
    static func answer(_ work: () async throws -> Response) async -> Response {
        do {
            return try await work()
        } catch {
            return OutcomeMiddleware<PlatformRequestContext>.response(
                for: error, method: nil, path: nil, logger: Logger(label: "sundhedscloud"))
        }
    }

    static func body(_ request: Request, limit: Int) async throws -> Data {
        var request = request
        return Data(buffer: try await request.collectBody(upTo: limit))
    }

    static func searchsetOfStatus(_ bundle: JSONValue) -> JSONValue {
        // $status answers a searchset of status resources; ours is the Parameters of the notification form.
        guard let status = bundle["entry"]?.listValue.first?["resource"] else { return bundle }
        return FHIRResponse.searchset([status], selfURL: "")
    }

    static func events(_ engine: EventEngine, request: Request, id: String) async throws -> Response {
        var record = try await engine.subscription(id)
        let query = request.uri.queryParameters
        func number(_ name: String) throws(PlatformError) -> Int64? {
            guard let text = query.get(name) else { return nil }
            guard let value = Int64(text), value >= 0 else {
                throw PlatformError.invalid(Phrase("outcome.non-negative-integer", ["name": .text(name)]), expression: name)
            }
            return value
        }
        let since = try number("eventsSinceNumber") ?? 1
        let until = try number("eventsUntilNumber")
        if let content = query.get("content") {
            guard let payload = SubscriptionRecord.Payload(rawValue: content) else {
                throw PlatformError.invalid(Phrase("outcome.content-values"), expression: "content")
            }
            record.payload = payload
        }
        let events: [NumberedEvent]
        do {
            events = try await engine.storage.events(
                subscriptionID: id, after: max(0, since - 1), through: until, limit: 1000)
        } catch {
            throw PlatformError.unavailable(Phrase("outcome.event-log-unreadable", ["error": .error(error)]))
        }
        let resources = record.payload == .fullResource ? await engine.resources(for: events) : [:]
        let bundle = NotificationBundle.build(
            subscription: record, type: "query-event", eventsSinceStart: record.eventCount, events: events,
            engineBase: engine.publicBase, resources: resources)
        return FHIRResponse.json(bundle)
    }

    /// The node's state for load balancers and operators: 200 when its storage answers, else 503 saying why.
    static func health(_ engine: EventEngine, encrypted: Bool, checkpoints: AuditCheckpoints?) async -> Response {
        var body: JSONObject = [
            "transport": .string(encrypted ? "tls" : "insecure-http"),
            "storage": .string(engine.storage.location),
            "shared": .bool(engine.storage.isShared),
            "liveConnections": .number(Double(engine.hub.count)),
            "deliversRestHooks": .bool(engine.deliversRestHooks),
        ]
        if let checkpoints {
            // Where the audit chain's signed checkpoints go, the last one written, and why writing failed if it did.
            let status = checkpoints.status
            var audit: JSONObject = ["key": .string(checkpoints.key.publicKeyText)]
            if let file = checkpoints.file { audit["file"] = .string(file) }
            if let written = status.written { audit["lastSequence"] = .number(Double(written)) }
            if let problem = status.problem { audit["error"] = .string(problem) }
            body["auditCheckpoints"] = .object(audit)
        }
        if !encrypted {
            body["warning"] = .string(
                Catalog.danish.text("outcome.unencrypted") + " / " + Catalog.english.text("outcome.unencrypted"))
        }
        do {
            try await engine.storage.check()
            body["status"] = .string("ok")
            return FHIRResponse.json(.object(body))
        } catch {
            body["status"] = .string("unavailable")
            body["error"] = .string(Catalog.danish.text("outcome.storage-unusable", ["error": .error(error)]))
            return FHIRResponse.json(.object(body), status: .serviceUnavailable)
        }
    }

    /// Our SSE channel: `GET /Subscription/{id}/$sse`. Each event is `id: <event number>`, `event:
    /// event-notification`, `data: <notification bundle on one line>`; heartbeats are `event: heartbeat` without an
    /// id. `Last-Event-ID` (or `?lastEventId=`) resumes after that number; without it the stream starts now.
    static func sse(_ engine: EventEngine, request: Request, id: String) async throws -> Response {
        let record = try await engine.subscription(id)
        guard record.status != .off else {
            throw PlatformError(status: 410, code: "not-found", Phrase("outcome.subscription-off"))
        }
        let given = request.headers[lastEventID] ?? request.uri.queryParameters.get("lastEventId")
        var resumeFrom: Int64?
        if let given {
            guard let number = Int64(given.trimmingCharacters(in: .whitespaces)), number >= 0 else {
                throw PlatformError.invalid(Phrase("outcome.last-event-id"), expression: "Last-Event-ID")
            }
            resumeFrom = number
        }
        let listener = engine.hub.listen(subscriptionID: id)
        // Listen first, then read where the stream stands: an event numbered in between arrives live and is
        // skipped by number, never lost.
        let current = try await engine.storage.subscription(id: id)?.eventCount ?? record.eventCount
        let start = min(resumeFrom ?? current, current)
        let heartbeat = record.heartbeatSeconds.map { Duration.seconds($0) } ?? engine.defaultHeartbeat
        let headers: HTTPFields = [
            .contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-cache",
            HTTPField.Name("X-Accel-Buffering")!: "no",
        ]
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                var feed = OrderedFeed(
                    engine: engine, listener: listener, subscriptionID: id, last: start, heartbeat: heartbeat)
                let handshake = NotificationBundle.build(
                    subscription: record, type: "handshake", eventsSinceStart: start, events: [],
                    engineBase: engine.publicBase)
                try await writer.write(
                    ByteBuffer(string: "retry: 1000\nevent: handshake\ndata: \(handshake.serializedString())\n\n"))
                do {
                    try await feed.run { output in
                        switch output {
                        case .heartbeat(let count):
                            let bundle = NotificationBundle.build(
                                subscription: record, type: "heartbeat", eventsSinceStart: count, events: [],
                                engineBase: engine.publicBase)
                            try await writer.write(
                                ByteBuffer(string: "event: heartbeat\ndata: \(bundle.serializedString())\n\n"))
                        case .events(let events, _):
                            let resources = record.payload == .fullResource ? await engine.resources(for: events) : [:]
                            var text = ""
                            for numbered in events {
                                let data =
                                    record.payload == .fullResource
                                    ? NotificationBundle.build(
                                        subscription: record, type: "event-notification",
                                        eventsSinceStart: numbered.number, events: [numbered],
                                        engineBase: engine.publicBase, resources: resources
                                    ).serializedString()
                                    : NotificationBundle.line(
                                        subscription: record, numbered: numbered, engineBase: engine.publicBase)
                                text += "id: \(numbered.number)\nevent: event-notification\ndata: \(data)\n\n"
                            }
                            try await writer.write(ByteBuffer(string: text))
                        }
                    }
                } catch {
                    // The subscriber went away; it resumes with Last-Event-ID.
                }
                try? await writer.finish(nil)
            })
    }
}
