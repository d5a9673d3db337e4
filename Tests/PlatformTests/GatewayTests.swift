import Assembly
import AsyncHTTPClient
import DemoSources
import FHIR
import Federation
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Platform
import Research
import Synchronization
import Testing

/// The integration gateway as its users meet it: the demo sources on free ports, the event engine and the gateway
/// behind one `PlatformServer` on 127.0.0.1, a SQLite file of its own per test, and nothing but HTTP in between.
/// The suites in `Gateway*Tests.swift` are nested in this one (`swift test --filter GatewayTests` runs them all).
@Suite(.timeLimit(.minutes(3))) struct GatewayTests {}

/// Who and what the gateway tests talk about (all from `demo-data/`).
enum GW {
    static let secret = "gateway-tests-shared-secret-0123456789abcdef"

    static let bruno = "2509479989"
    static let nancy = "2512489996"
    static let einer = "0201609995"
    /// Bruno Test Elmer's ids at the sources.
    static let brunoHospital = "1000"
    static let brunoGP = "50a74cff-026f-4c84-aa8f-f5f8d837115f"
    static let brunoMunicipality = "9fb93534-081c-4253-b1e2-73a87984a8ab"
    static let nancyHospital = "1001"
    static let nancyGP = "5b482536-98a2-4d66-8689-202031c4d8ed"
    static let nancyMunicipality = "b57c9956-51c7-45fa-9c56-54658d6961f2"
    /// Einer Test Lauridsen: only at the hospital, no GP on record, lives in municipality 0159.
    static let einerHospital = "1002"

    static let akutHerlev = "953741000016013"
    static let ydernummer = "046781"

    static let emergencyReason = "Bevidstløs patient"
    static let encodedReason = "Bevidstl%C3%B8s%20patient"

    /// `identifier=urn:oid:1.2.208.176.1.2|CPR`, percent-encoded.
    static func byCPR(_ cpr: String) -> String { "identifier=urn:oid:1.2.208.176.1.2%7C\(cpr)" }

    static let users = [
        "akutlaege", "borger-bruno", "borger-nancy", "dataansvarlig", "egen-laege", "forsker", "hjemmesygeplejerske",
        "laege-uden-relation", "logopfoelgning",
    ]

    static let quietLogger: Logger = {
        var logger = Logger(label: "test.gateway")
        logger.logLevel = .critical
        return logger
    }()
}

// MARK: Answers

/// One HTTP answer from the gateway, read whole, with its headers.
struct GatewayAnswer: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: JSONValue? { try? JSONValue.parse(body) }
    var resourceType: String? { json?["resourceType"]?.stringValue }
    func header(_ name: String) -> String? { headers.first(name: name) }

    /// The first issue of an OperationOutcome answer.
    var issue: JSONValue? { json?["issue"]?.listValue.first }
    /// FHIR issue type: `login`, `forbidden`, `suppressed`, `throttled`, `timeout`, ...
    var code: String? { issue?["code"]?.stringValue }
    /// The Danish text.
    var diagnostics: String { issue?["diagnostics"]?.stringValue ?? "" }
    /// The English text.
    var english: String { issue?["details"]?["text"]?.stringValue ?? "" }
    /// The gateway's reason code (`no-relationship`, `blocked-by-patient`, ...).
    var reason: String? { issue?["details"]?["coding"]?.listValue.first?["code"]?.stringValue }

    /// The resources of a Bundle answer.
    var resources: [JSONValue] { (json?["entry"]?.listValue ?? []).compactMap { $0["resource"] } }
    func resources(_ type: String) -> [JSONValue] { resources.filter { $0["resourceType"]?.stringValue == type } }
    /// The `url` of a Bundle link (`next`, `self`, ...).
    func link(_ relation: String) -> String? {
        json?["link"]?.listValue.first { $0["relation"]?.stringValue == relation }?["url"]?.stringValue
    }
}

// MARK: The gateway under test

/// The demo sources, the event engine and the gateway on free loopback ports, with a SQLite file of their own.
final class GatewayHarness: StoppableHarness {
    let directory: URL
    /// The platform's storage: a SQLite file of the harness's own unless the test gave another.
    let platformStorage: any PlatformStorage
    /// The SQLite storage (tests that open the file themselves).
    var storage: SQLiteStorage { platformStorage as! SQLiteStorage }
    let server: PlatformServer
    let cluster: DemoSourceCluster
    /// Source id → the source's own FHIR base URL.
    let sourceURLs: [String: String]
    private let tokens = Mutex<[String: String]>([:])

    var gateway: Gateway { server.gateway! }
    /// The node's checkpoint file (JSON lines).
    var checkpointFile: String { directory.appendingPathComponent("audit-checkpoints.jsonl").path }
    var engine: EventEngine { server.engine }
    var base: String { server.baseURL }

    private init(
        directory: URL, storage: any PlatformStorage, server: PlatformServer, cluster: DemoSourceCluster,
        sourceURLs: [String: String]
    ) {
        self.directory = directory
        self.platformStorage = storage
        self.server = server
        self.cluster = cluster
        self.sourceURLs = sourceURLs
    }

    /// Wired as `sundhedscloud serve --demo` wires it: every source of the manifest (the preferences source too),
    /// the users of `users.json`, the sources announcing their changes to the engine. Each source has 15 s unless a
    /// test says otherwise (the product's 2 s ran out under CI's parallel load); a test of time limits sets its own.
    static func start(
        limits: Gateway.Limits = Gateway.Limits(), timeoutMs: [String: Int] = [:], storage given: (any PlatformStorage)? = nil
    ) async throws
        -> GatewayHarness
    {
        let data = try PlatformFixtures.demoData()
        let cluster = try DemoSourceCluster(data: data, ports: .ephemeral)
        try await cluster.start()
        let secrets = cluster.notifySecrets
        do {
            let urls = Dictionary(uniqueKeysWithValues: await cluster.baseURLs().map { ($0.id, $0.url) })
            let directory = PlatformFixtures.temporaryDirectory()
            let storage = try given ?? SQLiteStorage(path: directory.appendingPathComponent("platform.sqlite").path)
            // Assembled as `serve` assembles a node, with the checkpoints of the audit chain in the test's own folder.
            var node = PlatformAssembly.Configuration(storage: storage, tokens: try await TokenAuthority.sharedSecret(GW.secret))
            node.sources = data.manifest.sources.map { source in
                SourceDefinition(demo: source, fhir: urls[source.id] ?? "-", timeoutMs: timeoutMs[source.id] ?? 15_000)
            }
            node.notifyCredentials = NotifyCredentials(secrets: secrets)
            node.users = try Identity.loadUsers(
                file: PlatformFixtures.repositoryRoot.appendingPathComponent("demo-data/users.json"))
            node.auditCheckpoints = directory.appendingPathComponent("audit-checkpoints.jsonl").path
            node.node = "test-node"
            node.demoApps = true
            node.analysisStore = try AnalysisStore(path: directory.appendingPathComponent("analysis.sqlite").path)
            node.limits = limits
            node.logger = GW.quietLogger
            let server = try await PlatformAssembly.start(node)
            await cluster.connect(engineURL: server.baseURL)
            return GatewayHarness(
                directory: directory, storage: storage, server: server, cluster: cluster, sourceURLs: urls)
        } catch {
            await cluster.stop()
            throw error
        }
    }

    /// Runs `body` with a started gateway and stops everything afterwards, also when `body` throws.
    static func with<T>(
        limits: Gateway.Limits = Gateway.Limits(), timeoutMs: [String: Int] = [:], storage: (any PlatformStorage)? = nil,
        _ body: (GatewayHarness) async throws -> T
    ) async throws -> T {
        try await stopping(try await start(limits: limits, timeoutMs: timeoutMs, storage: storage), body)
    }

    /// The client's side of the same: the sources the gateway lists, each with 20 s (a test of something other than
    /// time must not fail because CI's parallel load let the product's 2 s run out).
    static func generousLimits(_ registry: SourceRegistry) -> SourceRegistry {
        SourceRegistry(
            sources: registry.sources.map { source in
                var source = source
                source.timeoutMs = 20_000
                return source
            })
    }

    func stop() async {
        await server.stop()
        await cluster.stop()
        await platformStorage.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The `Authorization` header of a notification in the name of demo source `id` (its own secret).
    func notifyAuthorization(_ id: String) -> [(String, String)] {
        [("Authorization", "Bearer \(cluster.notifySecrets[id] ?? "")")]
    }

    func source(_ id: String) throws -> DemoSourceServer {
        guard let server = cluster.server(id) else { throw TestFailure("no demo source \(id)") }
        return server
    }

    // MARK: HTTP

    func send(
        _ path: String, method: HTTPMethod = .GET, body: [UInt8]? = nil, headers: [(String, String)] = []
    ) async throws -> GatewayAnswer {
        var request = HTTPClientRequest(url: path.hasPrefix("http") ? path : base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        // 30 s: far above any answer the tests expect (the slowest is a source's time limit), so that only a request
        // that truly hangs fails, and it says which one and after how long (CI once ran 4 heavy tests on 2 cores).
        let clock = ContinuousClock()
        let started = clock.now
        do {
            let response = try await HTTP.client.execute(request, timeout: .seconds(30))
            let bytes = try await response.body.collect(upTo: 64 << 20)
            return GatewayAnswer(
                status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
        } catch {
            throw TestFailure("\(method) \(path) failed after \(clock.now - started): \(error)")
        }
    }

    /// A demo user's access token from the demo identity provider (`POST /auth/token`), fetched once.
    func token(_ user: String) async throws -> String {
        if let known = tokens.withLock({ $0[user] }) { return known }
        let answer = try await send("/auth/token", method: .POST, body: J(["user": user]).serialized())
        guard answer.status == 200, let token = answer.json?["access_token"]?.stringValue else {
            throw TestFailure("POST /auth/token for \(user) answered \(answer.status): \(answer.text)")
        }
        tokens.withLock { $0[user] = token }
        return token
    }

    /// GET as a demo user.
    func get(_ path: String, as user: String, headers: [(String, String)] = []) async throws -> GatewayAnswer {
        try await send(path, headers: [("Authorization", "Bearer \(try await token(user))")] + headers)
    }

    /// GET as a demo user claiming emergency access (værdispring) with `reason` (percent-encoded UTF-8).
    func emergency(_ path: String, as user: String, reason: String = GW.encodedReason) async throws -> GatewayAnswer {
        try await get(path, as: user, headers: [("X-Purpose-Of-Use", "EMERGENCY"), ("X-Emergency-Reason", reason)])
    }

    // MARK: The audit log

    func auditEntries(after: Int64 = 0) async throws -> [AuditEntry] {
        try await platformStorage.auditEntries(patient: nil, emergencyOnly: false, after: after, limit: 100_000)
    }

    /// Runs one request and returns its answer with the audit entries written meanwhile (read at once when the
    /// answer is in: an entry must exist before any data leaves).
    func logged(_ request: () async throws -> GatewayAnswer) async throws -> (GatewayAnswer, [AuditEntry]) {
        let before = try await auditEntries().last?.sequence ?? 0
        let answer = try await request()
        return (answer, try await auditEntries(after: before))
    }
}

// MARK: Expectations

/// A refusal as the user sees it: the status, an OperationOutcome with the reason code and the Danish text, and no
/// patient data.
func expectRefused(
    _ answer: GatewayAnswer, status: Int = 403, code: String = "forbidden", reason: String, saying danish: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(answer.status == status, "\(answer.text)", sourceLocation: sourceLocation)
    #expect(answer.resourceType == "OperationOutcome", "\(answer.text)", sourceLocation: sourceLocation)
    #expect(answer.code == code, sourceLocation: sourceLocation)
    #expect(answer.reason == reason, "\(answer.text)", sourceLocation: sourceLocation)
    #expect(answer.diagnostics.contains(danish), "\(answer.diagnostics)", sourceLocation: sourceLocation)
    expectNoPatientData(answer, sourceLocation: sourceLocation)
}

/// No names, addresses or clinical resources in an answer.
func expectNoPatientData(_ answer: GatewayAnswer, sourceLocation: SourceLocation = #_sourceLocation) {
    for word in ["Elmer", "Berggren", "Lauridsen", "Tvedvangen", "\"Patient\"", "\"Encounter\"", "\"Condition\""] {
        #expect(!answer.text.contains(word), "'\(word)' in \(answer.text.prefix(300))", sourceLocation: sourceLocation)
    }
}

/// Exactly one audit entry, with these fields.
func expectOneEntry(
    _ entries: [AuditEntry], user: String, cpr: String, source: String, outcome: String, purpose: String,
    reason: String? = nil, emergency: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(entries.count == 1, "\(entries)", sourceLocation: sourceLocation)
    guard let entry = entries.first else { return }
    #expect(entry.userID == user, sourceLocation: sourceLocation)
    #expect(entry.patientCPR == cpr, sourceLocation: sourceLocation)
    #expect(entry.sourceID == source, sourceLocation: sourceLocation)
    #expect(entry.outcome == outcome, sourceLocation: sourceLocation)
    #expect(entry.purpose == purpose, sourceLocation: sourceLocation)
    #expect(entry.reason == reason, sourceLocation: sourceLocation)
    #expect(entry.emergency == emergency, sourceLocation: sourceLocation)
    #expect(entry.client == "127.0.0.1", sourceLocation: sourceLocation)
}

// MARK: Who is asking

extension GatewayTests {
    /// Tokens: none, garbage, expired, from another issuer or for another audience are 401 with `WWW-Authenticate`;
    /// the demo identity provider names its users when asked for one it does not know.
    @Suite(.timeLimit(.minutes(3))) struct Authentication {
        let patient = "/sources/hospital/fhir/Patient/\(GW.brunoHospital)"

        func expectUnauthenticated(
            _ answer: GatewayAnswer, saying danish: String, _ english: String,
            sourceLocation: SourceLocation = #_sourceLocation
        ) {
            #expect(answer.status == 401, "\(answer.text)", sourceLocation: sourceLocation)
            #expect(answer.header("WWW-Authenticate") == "Bearer realm=\"sundhedscloud\"", sourceLocation: sourceLocation)
            #expect(answer.code == "login", sourceLocation: sourceLocation)
            #expect(answer.diagnostics.contains(danish), "\(answer.diagnostics)", sourceLocation: sourceLocation)
            #expect(answer.english.contains(english), "\(answer.english)", sourceLocation: sourceLocation)
            expectNoPatientData(answer, sourceLocation: sourceLocation)
        }

        @Test func requestsWithoutAValidTokenAre401() async throws {
            try await GatewayHarness.with { h in
                let mette = try #require(h.gateway.users["akutlaege"])

                expectUnauthenticated(try await h.send(patient), saying: "Log ind", "Log in")
                expectUnauthenticated(
                    try await h.send(patient, headers: [("Authorization", "Basic YWt1dGxhZWdlOmhlbW1lbGln")]),
                    saying: "mangler et adgangstoken", "no access token")
                for path in ["/sources", "/AuditEvent"] {
                    expectUnauthenticated(try await h.send(path), saying: "Log ind", "Log in")
                }
                expectUnauthenticated(
                    try await h.send(patient, headers: [("Authorization", "Bearer not.a.token")]),
                    saying: "Adgangstoken er ugyldig", "not valid")

                // Expired: issued with a negative lifetime, and issued an hour ago for a quarter of an hour.
                for token in [
                    try await h.gateway.tokens.issue(mette, lifetime: -10),
                    try await h.gateway.tokens.issue(mette, lifetime: 900, now: Date().addingTimeInterval(-3600)),
                ] {
                    expectUnauthenticated(
                        try await h.send(patient, headers: [("Authorization", "Bearer \(token)")]),
                        saying: "Adgangstoken er udløbet; log ind igen", "expired")
                }

                // Signed with the same secret, but by another issuer or for another audience.
                let otherIssuer = try await TokenAuthority.sharedSecret(GW.secret, issuer: "https://idp.example.com")
                expectUnauthenticated(
                    try await h.send(patient, headers: [("Authorization", "Bearer \(try await otherIssuer.issue(mette))")]),
                    saying: "udstedt af en ukendt udsteder", "unknown issuer")
                let otherAudience = try await TokenAuthority.sharedSecret(GW.secret, audience: "en-anden-gateway")
                expectUnauthenticated(
                    try await h.send(patient, headers: [("Authorization", "Bearer \(try await otherAudience.issue(mette))")]),
                    saying: "ikke til denne gateway", "not meant for this gateway")
                // Signed with another secret.
                let forged = try await TokenAuthority.sharedSecret(String(repeating: "f", count: 40))
                expectUnauthenticated(
                    try await h.send(patient, headers: [("Authorization", "Bearer \(try await forged.issue(mette))")]),
                    saying: "Adgangstoken er ugyldig", "not valid")

                // The same user with a good token gets past authentication (and is refused for lack of a
                // relationship, which is logged); none of the 401s above was.
                let good = try await h.gateway.tokens.issue(mette)
                let answer = try await h.send(patient, headers: [("Authorization", "bearer  \(good)")])
                #expect(answer.status == 403, "\(answer.text)")
                #expect(try await h.auditEntries().map(\.userID) == ["akutlaege"])
            }
        }

        @Test func theDemoIdentityProviderIssuesTokensForItsUsersOnly() async throws {
            try await GatewayHarness.with { h in
                let unknown = try await h.send("/auth/token", method: .POST, body: J(["user": "dr-ukendt"]).serialized())
                #expect(unknown.status == 400)
                #expect(unknown.code == "invalid")
                #expect(
                    unknown.diagnostics == "Ukendt demobruger 'dr-ukendt'; kendte: \(GW.users.joined(separator: ", "))",
                    "\(unknown.diagnostics)")
                #expect(unknown.english == "Unknown demo user 'dr-ukendt'; known: \(GW.users.joined(separator: ", "))")

                let nobody = try await h.send("/auth/token", method: .POST, body: Array("{}".utf8))
                #expect(nobody.status == 400)
                #expect(nobody.diagnostics.contains("Angiv en demobruger"), "\(nobody.diagnostics)")

                let issued = try await h.send("/auth/token", method: .POST, body: J(["user": "akutlaege"]).serialized())
                #expect(issued.status == 200, "\(issued.text)")
                #expect(issued.header("Cache-Control") == "no-store")
                let json = try #require(issued.json)
                #expect(json["token_type"]?.stringValue == "Bearer")
                #expect(json["expires_in"]?.numberValue == 900)
                #expect(json["user"]?["role"]?.stringValue == "ed-doctor")
                #expect(json["user"]?["organization"]?["value"]?.stringValue == GW.akutHerlev)
                let token = try #require(json["access_token"]?.stringValue)
                let identity = try await h.gateway.tokens.verify(token)
                #expect(identity.id == "akutlaege")
                #expect(identity.name == "Mette Kjær")
                let sources = try await h.send("/sources", headers: [("Authorization", "Bearer \(token)")])
                #expect(sources.status == 200, "\(sources.text)")

                // A form body works as well as JSON.
                let form = try await h.send("/auth/token", method: .POST, body: Array("user=egen-laege".utf8))
                #expect(form.status == 200, "\(form.text)")
                #expect(form.json?["user"]?["organization"]?["value"]?.stringValue == GW.ydernummer)

                let users = try await h.send("/auth/users")
                #expect(users.status == 200)
                #expect(users.json?["users"]?.listValue.compactMap { $0["id"]?.stringValue } == GW.users)
            }
        }
    }
}
