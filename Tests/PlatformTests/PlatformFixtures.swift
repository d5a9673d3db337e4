import AsyncHTTPClient
import DemoSources
import EventStream
import FHIR
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Platform
import ServiceLifecycle
import Synchronization
import TestSupport

/// Shared fixtures for the event engine tests: an engine with its own SQLite file behind a real HTTP server on a free
/// loopback port, notification and subscription builders, and small helpers for waiting without sleeping blindly.
enum PlatformFixtures {
    static var repositoryRoot: URL { DemoFixtures.repositoryRoot }

    /// The demo data, loaded once per test process.
    static func demoData() throws -> DemoDataSet { try DemoFixtures.data() }

    /// A source base URL nothing listens on: full-resource notifications never need it, and a fetch fails at once.
    static let deadSourceBase = "http://127.0.0.1:9/fhir"

    static let bruno = "2509479989"
    static let nancy = "2512489996"
    static let einer = "0201609995"
    static let akutHerlev = "953741000016013"
    static let lungeGentofte = "953741000016039"
    static let medicinHerlev = "953741000016063"

    /// The engine's logger for tests: errors only (a failing rest-hook endpoint is expected, not news).
    static let engineLogger: Logger = {
        var logger = Logger(label: "test.engine")
        logger.logLevel = .error
        return logger
    }()

    /// The notification secret the tests send for `source` (the engines under test know its hash).
    static func notifySecret(_ source: String) -> String { "test-notify-secret-\(source)" }

    /// Credentials for these sources' test secrets.
    static func notifyCredentials(_ sources: some Sequence<String>) -> NotifyCredentials {
        NotifyCredentials(secrets: Dictionary(sources.map { ($0, notifySecret($0)) }, uniquingKeysWith: { first, _ in first }))
    }

    /// A fresh folder for one test's database.
    static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("platform-tests-\(UUID().uuidString)")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// MARK: JSON from Swift literals

/// `J(["resourceType": "Bundle", "entry": [...]])`: JSON from dictionary and array literals.
func J(_ value: Any?) -> JSONValue {
    switch value {
    case nil: return .null
    case let json as JSONValue: return json
    case let text as String: return .string(text)
    case let flag as Bool: return .bool(flag)
    case let number as Int: return .number(Double(number))
    case let number as Int64: return .number(Double(number))
    case let number as Double: return .number(number)
    case let list as [Any?]: return .array(list.map(J))
    case let object as [String: Any?]: return .object(JSONObject(object.mapValues(J)))
    default: return .string("\(value!)")
    }
}

// MARK: HTTP

/// One HTTP answer, read whole.
struct Answer: Sendable {
    let status: Int
    let body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONValue.parse(body) }
    var resourceType: String? { json?["resourceType"]?.stringValue }
    /// The diagnostics of an OperationOutcome answer.
    var diagnostics: String { json?["issue"]?.listValue.first?["diagnostics"]?.stringValue ?? "" }
}

enum HTTP {
    /// Fails at once on a refused connection (AsyncHTTPClient's default retries until the deadline).
    static func makeClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        // A redirect is an answer to look at (the authorization endpoint's 303 to an app), not to follow.
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    static let client = makeClient()

    static func send(
        _ url: String, method: HTTPMethod = .GET, body: [UInt8]? = nil, headers: [(String, String)] = [],
        client: HTTPClient = HTTP.client
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/fhir+json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .seconds(15))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Answer(status: Int(response.status.code), body: Data(bytes.readableBytesView))
    }

    static func post(_ url: String, _ json: JSONValue) async throws -> Answer {
        try await send(url, method: .POST, body: json.serialized())
    }

    /// POSTs a notification bundle to `.../notify/{source}` with that source's test secret.
    static func notify(_ url: String, _ json: JSONValue, client: HTTPClient = HTTP.client) async throws -> Answer {
        let source = url.split(separator: "/").last.map(String.init) ?? ""
        return try await send(
            url, method: .POST, body: json.serialized(), headers: notifyAuthorization(source), client: client)
    }

    /// The `Authorization` header of a notification from `source` in the tests.
    static func notifyAuthorization(_ source: String) -> [(String, String)] {
        [("Authorization", "Bearer \(PlatformFixtures.notifySecret(source))")]
    }

    static func post(_ url: String, text: String) async throws -> Answer {
        try await send(url, method: .POST, body: Array(text.utf8))
    }
}

// MARK: Waiting

/// Polls `condition` until it holds or `timeout` passes; true if it held.
func eventually(
    within timeout: Duration = .seconds(10), every interval: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline || Task.isCancelled { return false }
        try? await Task.sleep(for: interval)
    }
}

/// Things received in the background, for a test to look at.
final class Collected<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])

    func append(_ item: Element) { items.withLock { $0.append(item) } }

    var all: [Element] { items.withLock { $0 } }

    var count: Int { items.withLock { $0.count } }

    /// Waits until at least `count` items arrived; returns what there is then (maybe fewer, after `timeout`).
    func wait(for count: Int, within timeout: Duration = .seconds(10)) async -> [Element] {
        _ = await eventually(within: timeout) { self.count >= count }
        return all
    }
}

// MARK: The engine under test

/// An event engine with its own SQLite file, served over HTTP on a free loopback port.
/// A started set of servers that a test stops afterwards.
protocol StoppableHarness: Sendable {
    func stop() async
}

/// Runs `body` with `harness` and stops it afterwards, also when `body` throws.
func stopping<H: StoppableHarness, T>(_ harness: H, _ body: (H) async throws -> T) async throws -> T {
    do {
        let result = try await body(harness)
        await harness.stop()
        return result
    } catch {
        await harness.stop()
        throw error
    }
}

final class EngineHarness: StoppableHarness {
    let directory: URL
    let storage: SQLiteStorage
    let server: PlatformServer

    var engine: EventEngine { server.engine }
    var base: String { server.baseURL }
    var databasePath: String { storage.path }

    private init(directory: URL, storage: SQLiteStorage, server: PlatformServer) {
        self.directory = directory
        self.storage = storage
        self.server = server
    }

    static func start(
        sources: [String: String] = ["hospital": PlatformFixtures.deadSourceBase],
        restHook: RestHookPolicy = .standard, heartbeat: Duration = .seconds(10), credentials: NotifyCredentials? = nil
    ) async throws -> EngineHarness {
        let directory = PlatformFixtures.temporaryDirectory()
        let storage = try SQLiteStorage(path: directory.appendingPathComponent("platform.sqlite").path)
        let engine = EventEngine(
            storage: storage, sources: sources,
            notifyCredentials: credentials ?? PlatformFixtures.notifyCredentials(sources.keys), restHook: restHook,
            defaultHeartbeat: heartbeat, logger: PlatformFixtures.engineLogger)
        let server = try await PlatformServer.start(engine: engine)
        return EngineHarness(directory: directory, storage: storage, server: server)
    }

    /// Runs `body` with a started engine and stops it afterwards, also when `body` throws.
    static func with<T>(
        sources: [String: String] = ["hospital": PlatformFixtures.deadSourceBase],
        restHook: RestHookPolicy = .standard, heartbeat: Duration = .seconds(10), credentials: NotifyCredentials? = nil,
        _ body: (EngineHarness) async throws -> T
    ) async throws -> T {
        try await stopping(
            try await start(sources: sources, restHook: restHook, heartbeat: heartbeat, credentials: credentials), body)
    }

    func stop() async {
        await server.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Notifications in

    /// POSTs a notification bundle as source `source`.
    func notify(_ bundle: JSONValue, source: String = "hospital") async throws -> Answer {
        try await HTTP.notify("\(base)/notify/\(source)", bundle)
    }

    // MARK: Subscriptions

    /// Creates a subscription; returns its id (the answer must be 201).
    func subscribe(
        _ topic: String, filters: [String] = [], channel: String = "sse", endpoint: String? = nil,
        payload: String? = nil, heartbeat: Int? = nil
    ) async throws -> String {
        let answer = try await HTTP.post(
            "\(base)/Subscription",
            Subscriptions.resource(
                topic: topic, filters: filters, channel: channel, endpoint: endpoint, payload: payload, heartbeat: heartbeat))
        guard answer.status == 201, let id = answer.json?["id"]?.stringValue else {
            throw TestFailure("POST /Subscription answered \(answer.status): \(answer.text)")
        }
        return id
    }

    /// `events-since-subscription-start` from `$status`.
    func eventCount(_ id: String) async throws -> Int64 {
        try await SubscriptionQueries(base: base).eventCount(id)
    }

    /// The subscription's events from `$events`, oldest first.
    func events(_ id: String, since: Int64 = 1) async throws -> [EventNotification] {
        try await SubscriptionQueries(base: base).events(id, since: since)
    }

    /// The Subscription resource as GET /Subscription/{id} answers it.
    func subscription(_ id: String) async throws -> JSONValue {
        let answer = try await HTTP.send("\(base)/Subscription/\(id)")
        guard answer.status == 200, let json = answer.json else {
            throw TestFailure("GET /Subscription/\(id) answered \(answer.status): \(answer.text)")
        }
        return json
    }
}

// MARK: Builders

enum Subscriptions {
    static let backport = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/"

    /// An R4 backport Subscription as a client posts it; channel `sse` uses the backport-channel-type extension.
    static func resource(
        topic: String, filters: [String] = [], channel: String = "sse", endpoint: String? = nil, payload: String? = nil,
        heartbeat: Int? = nil
    ) -> JSONValue {
        var channelJSON: [String: Any?] = ["payload": "application/fhir+json"]
        if channel == "sse" {
            channelJSON["_type"] = [
                "extension": [
                    [
                        "url": backport + "backport-channel-type",
                        "valueCoding": ["system": "https://sundhedscloud.dk/fhir/CodeSystem/channel-type", "code": "sse"],
                    ]
                ]
            ]
        } else {
            channelJSON["type"] = channel
        }
        if let endpoint { channelJSON["endpoint"] = endpoint }
        if let payload {
            channelJSON["_payload"] = ["extension": [["url": backport + "backport-payload-content", "valueCode": payload]]]
        }
        if let heartbeat {
            channelJSON["extension"] = [["url": backport + "backport-heartbeat-period", "valueUnsignedInt": heartbeat]]
        }
        var resource: [String: Any?] = [
            "resourceType": "Subscription",
            "status": "requested",
            "reason": "test",
            "criteria": topic.hasPrefix("http") ? topic : EventTopic.canonicalBase + topic,
            "channel": channelJSON,
        ]
        if !filters.isEmpty {
            resource["_criteria"] = [
                "extension": filters.map { ["url": backport + "backport-filter-criteria", "valueString": $0] }
            ]
        }
        return J(resource)
    }
}

/// Runs `body` with the demo sources running on free ports, and stops them afterwards.
func withDemoCluster<T>(_ body: (DemoSourceCluster, [String: String]) async throws -> T) async throws -> T {
    let cluster = try DemoSourceCluster(data: try PlatformFixtures.demoData(), ports: .ephemeral)
    try await cluster.start()
    let sources = Dictionary(uniqueKeysWithValues: await cluster.baseURLs().map { ($0.id, $0.url) })
    do {
        let result = try await body(cluster, sources)
        await cluster.stop()
        return result
    } catch {
        await cluster.stop()
        throw error
    }
}

/// Notification bundles as sources send them.
enum Notifications {
    static let topicBase = EventTopic.canonicalBase

    static func patient(
        id: String, cpr: String, municipality: String = "0163", given: String = "Bruno", family: String = "Elmer"
    )
        -> JSONValue
    {
        J([
            "resourceType": "Patient", "id": id,
            "identifier": [["system": DanishSystems.cpr, "value": cpr]],
            "name": [["use": "official", "family": family, "given": [given, "Test"]]],
            "address": [
                [
                    "extension": [
                        [
                            "url": DanishSystems.municipalityCodeExtension,
                            "valueCodeableConcept": [
                                "coding": [["system": DanishSystems.municipalityCodes, "code": municipality]]
                            ],
                        ]
                    ],
                    "line": ["Tvedvangen 14, st. tv."], "city": "Herlev",
                ]
            ],
        ])
    }

    static func encounter(
        id: String, patientID: String, encounterClass: String = "EMER", status: String = "in-progress",
        sor: String = PlatformFixtures.akutHerlev, department: String = "Akutmodtagelsen, Herlev",
        patientDisplay: String = "Bruno Test Elmer", note: String = "KOL med akut eksacerbation"
    ) -> JSONValue {
        J([
            "resourceType": "Encounter", "id": id, "status": status,
            "class": ["system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": encounterClass],
            "subject": ["reference": "Patient/\(patientID)", "display": patientDisplay],
            "period": ["start": "2025-03-01T10:00:00+01:00"],
            "serviceProvider": [
                "reference": "Organization/org", "identifier": ["system": DanishSystems.sor, "value": sor],
                "display": department,
            ],
            "reasonCode": [["text": note]],
        ])
    }

    /// R4 `Parameters` form, full-resource, absolute references: the focus and (if given) the patient in the bundle.
    static func r4(
        base: String, topic: String?, number: Int64, focus: JSONValue, patient: JSONValue?, type: String = "event-notification",
        subscription: String = "sundhedscloud"
    ) -> JSONValue {
        let focusURL = "\(base)/\(focus["resourceType"]!.stringValue!)/\(focus["id"]!.stringValue!)"
        var parts: [Any?] = [
            ["name": "event-number", "valueString": String(number)],
            ["name": "timestamp", "valueInstant": "2025-03-01T10:00:00+01:00"],
            ["name": "focus", "valueReference": ["reference": focusURL]],
        ]
        var entries: [Any?] = [["fullUrl": focusURL, "resource": focus]]
        if let patient, let id = patient["id"]?.stringValue {
            let patientURL = "\(base)/Patient/\(id)"
            parts.append(["name": "additional-context", "valueReference": ["reference": patientURL]])
            entries.append(["fullUrl": patientURL, "resource": patient])
        }
        var parameters: [Any?] = [
            ["name": "subscription", "valueReference": ["reference": "\(base)/Subscription/\(subscription)"]],
            ["name": "status", "valueCode": "active"],
            ["name": "type", "valueCode": type],
            ["name": "events-since-subscription-start", "valueString": String(number)],
            ["name": "notification-event", "part": parts],
        ]
        if let topic { parameters.insert(["name": "topic", "valueCanonical": topicBase + topic], at: 1) }
        let status: [String: Any?] = ["resourceType": "Parameters", "parameter": parameters]
        return J([
            "resourceType": "Bundle", "type": "history", "timestamp": "2025-03-01T10:00:01+01:00",
            "entry": [["fullUrl": "urn:uuid:\(UUID().uuidString.lowercased())", "resource": status]] + entries,
        ])
    }

    /// R4B `SubscriptionStatus` form, id-only, relative references: no resources, only where they are.
    /// The source's `number`th notification: an acute arrival of the patient with `cpr` (full resources).
    static func arrival(_ number: Int, cpr: String = PlatformFixtures.bruno) -> JSONValue {
        r4(
            base: PlatformFixtures.deadSourceBase, topic: "akut-ankomst", number: Int64(number),
            focus: encounter(id: "h-enc-\(number)", patientID: "p-\(cpr)"), patient: patient(id: "p-\(cpr)", cpr: cpr))
    }

    static func r4b(topic: String?, number: Int64?, focus: String?, type: String = "event-notification") -> JSONValue {
        var status: [String: Any?] = [
            "resourceType": "SubscriptionStatus", "status": "active", "type": type,
            "eventsSinceSubscriptionStart": String(number ?? 0),
            "subscription": ["reference": "Subscription/r4b-source"],
        ]
        if let topic { status["topic"] = topicBase + topic }
        if let number, let focus {
            status["notificationEvent"] = [
                ["eventNumber": String(number), "timestamp": "2025-03-01T10:00:00+01:00", "focus": ["reference": focus]]
            ]
        }
        var entries: [Any?] = [["fullUrl": "urn:uuid:\(UUID().uuidString.lowercased())", "resource": status]]
        if let focus { entries.append(["fullUrl": focus, "request": ["method": "PUT", "url": focus]]) }
        return J(["resourceType": "Bundle", "type": "history", "entry": entries])
    }
}

/// `$status` and `$events` of any platform node by its base URL (with a token behind a gateway).
struct SubscriptionQueries {
    let base: String
    var token: String?

    private var headers: [(String, String)] { token.map { [("Authorization", "Bearer \($0)")] } ?? [] }

    /// `events-since-subscription-start` from `$status`.
    func eventCount(_ id: String) async throws -> Int64 {
        let answer = try await HTTP.send("\(base)/Subscription/\(id)/$status", headers: headers)
        guard answer.status == 200 else { throw TestFailure("$status answered \(answer.status): \(answer.text)") }
        let parameters = answer.json?["entry"]?.listValue.first?["resource"]?["parameter"]?.listValue ?? []
        let value = parameters.first { $0["name"]?.stringValue == "events-since-subscription-start" }?["valueString"]
        guard let count = value?.stringValue.flatMap({ Int64($0) }) else { throw TestFailure("$status has no count") }
        return count
    }

    /// The subscription's events from `$events`, oldest first.
    func events(_ id: String, since: Int64 = 1) async throws -> [EventNotification] {
        let answer = try await HTTP.send(
            "\(base)/Subscription/\(id)/$events?eventsSinceNumber=\(since)", headers: headers)
        guard answer.status == 200 else { throw TestFailure("$events answered \(answer.status): \(answer.text)") }
        return try EventNotification.parse(bundle: answer.body).events
    }
}

/// Posts full-resource notifications as one source, numbering them like the source's own subscription does.
final class SourceSimulator: Sendable {
    let harness: EngineHarness
    let source: String
    let base: String
    private let number = Mutex<Int64>(0)

    init(_ harness: EngineHarness, source: String = "hospital", base: String = PlatformFixtures.deadSourceBase) {
        self.harness = harness
        self.source = source
        self.base = base
    }

    func nextNumber() -> Int64 {
        number.withLock {
            $0 += 1; return $0
        }
    }

    /// One change to an Encounter of a patient, as an R4 full-resource notification; the answer must be 200.
    @discardableResult
    func encounter(
        _ encounterID: String, cpr: String, municipality: String = "0163", encounterClass: String = "EMER",
        status: String = "in-progress", sor: String = PlatformFixtures.akutHerlev, topic: String? = "akut-ankomst",
        given: String = "Bruno", family: String = "Elmer", note: String = "KOL med akut eksacerbation"
    ) async throws -> Answer {
        let patientID = "p-\(cpr)"
        let bundle = Notifications.r4(
            base: base, topic: topic, number: nextNumber(),
            focus: Notifications.encounter(
                id: encounterID, patientID: patientID, encounterClass: encounterClass, status: status, sor: sor,
                patientDisplay: "\(given) Test \(family)", note: note),
            patient: Notifications.patient(id: patientID, cpr: cpr, municipality: municipality, given: given, family: family))
        let answer = try await harness.notify(bundle, source: source)
        guard answer.status == 200 else { throw TestFailure("notify answered \(answer.status): \(answer.text)") }
        return answer
    }
}

/// A flag set from another task.
final class Flag: Sendable {
    private let value = Mutex(false)

    func set() { value.withLock { $0 = true } }

    var isSet: Bool { value.withLock { $0 } }
}

/// One raw SSE connection to `GET /Subscription/{id}/$sse`, read in the background into `events`.
final class SSEConnection: Sendable {
    let status: Int
    let events: Collected<SSEParser.Event>
    /// Set when the server ended the stream (or the connection broke).
    let ended: Flag
    private let reader: Task<Void, Never>

    private init(status: Int, events: Collected<SSEParser.Event>, ended: Flag, reader: Task<Void, Never>) {
        self.status = status
        self.events = events
        self.ended = ended
        self.reader = reader
    }

    static func open(_ base: String, subscription: String, lastEventID: String? = nil) async throws -> SSEConnection {
        var request = HTTPClientRequest(url: "\(base)/Subscription/\(subscription)/$sse")
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let lastEventID { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
        let response = try await HTTP.client.execute(request, timeout: .seconds(5))
        let events = Collected<SSEParser.Event>()
        let ended = Flag()
        let body = response.body
        let reader = Task {
            var parser = SSEParser()
            do {
                for try await chunk in body {
                    for event in parser.feed(chunk.readableBytesView) { events.append(event) }
                }
            } catch {}
            ended.set()
        }
        return SSEConnection(status: Int(response.status.code), events: events, ended: ended, reader: reader)
    }

    /// The `event-notification` events so far.
    var notifications: [SSEParser.Event] { events.all.filter { $0.event == "event-notification" } }

    /// Waits until `count` notifications arrived (or `timeout` passed); returns those there are.
    func waitForNotifications(_ count: Int, within timeout: Duration = .seconds(10)) async -> [SSEParser.Event] {
        _ = await eventually(within: timeout) { self.notifications.count >= count }
        return notifications
    }

    func close() async {
        reader.cancel()
        await reader.value
    }
}

/// A value shared between tasks.
final class Locked<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ value: Value) { storage = Mutex(value) }

    var value: Value {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }

    @discardableResult
    func withLock<T: Sendable>(_ body: (inout Value) -> T) -> T { storage.withLock { body(&$0) } }
}

// MARK: A small server of the test's own

/// A Hummingbird server on a free loopback port with the test's own routes (a rest-hook endpoint, a source that only
/// counts), in a service group of its own; `stop()` ends it.
final class LoopbackServer: Sendable {
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    init(label: String, _ routes: (Router<BasicRequestContext>) -> Void) async throws {
        let router = Router()
        routes(router)
        var logger = Logger(label: label)
        logger.logLevel = .warning
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        var configuration = ServiceGroupConfiguration(services: [app], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(1)
        let group = ServiceGroup(configuration: configuration)
        self.task = Task.detached {
            try? await group.run()
            portContinuation.finish()
        }
        var bound = 0
        for await port in ports {
            bound = port
            break
        }
        guard bound != 0 else { throw TestFailure("\(label) did not start") }
        self.port = bound
        self.group = group
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        await task.value
    }
}
