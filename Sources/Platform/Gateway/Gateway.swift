// Gateway: the integration gateway itself: its state, its setup and its shutdown (each job in a Gateway+ file).

import AsyncHTTPClient
import FHIR
import Foundation
import Logging
import NIOCore
import Synchronization
import Transport

/// The integration gateway: one entry to every source. It authenticates each request, applies the rate limits,
/// decides access (care relationship, the patient's blocks, emergency access with a reason), writes the audit entry
/// before any data leaves, and forwards reads and searches to the source. It keeps no clinical data: what it learns
/// about patients (which source id is which CPR number) lives in memory only.
public final class Gateway: Sendable {
    public struct Limits: Sendable {
        public var userRate: Double = 50
        public var userBurst: Double = 300
        public var clientRate: Double = 200
        public var clientBurst: Double = 1000
        public var maxRequestBytes = 64 << 10
        public var tokenLifetime: TimeInterval = 900

        public init() {}
    }

    public struct Forwarded: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]
    }

    public let sources: [GatewaySource]
    public let tokens: TokenAuthority
    /// Demo identity provider's users by id (empty: no demo identity provider).
    public let users: [String: Identity]
    public let storage: any PlatformStorage
    public let relationships: any CareRelationships
    /// Signed checkpoints of the audit chain's head (the node's file and `GET /AuditEvent/$checkpoint`).
    public let checkpoints: AuditCheckpoints
    public let limits: Limits
    /// The app cloud's apps and installations (what an app's token may still do).
    public let apps: AppRegistry
    let consents: ConsentReader
    let reader: SourceReader
    let http: HTTPClient
    let userLimiter: RateLimiter
    let clientLimiter: RateLimiter
    let logger: Logger
    let patientCPRs = Mutex<[String: String]>([:])
    private let base = Mutex("http://127.0.0.1")
    /// The key the node's own services (the patient summary) show when they call the gateway on a caller's behalf
    /// (`X-SundhedsCloud-Service`): with it, and only with it, `X-Forwarded-For` names the client the rate limits
    /// count. Random per process, never written anywhere, never sent outside the node.
    public let serviceKey: String = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    let healthCache = Mutex<[String: (JSONValue, Date)]>([:])

    public init(
        sources: [GatewaySource], tokens: TokenAuthority, users: [Identity] = [], storage: any PlatformStorage,
        relationships: (any CareRelationships)? = nil, checkpoints: AuditCheckpoints? = nil, limits: Limits = Limits(),
        clientTLS: ClientTLS = .system, logger: Logger = Logger(label: "sundhedscloud.gateway")
    ) {
        self.checkpoints = checkpoints ?? AuditCheckpoints(storage: storage, logger: logger)
        self.sources = sources
        self.tokens = tokens
        self.users = Dictionary(users.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        self.storage = storage
        self.apps = AppRegistry(storage: storage)
        self.limits = limits
        self.logger = logger
        let http = HTTPClient.node(trust: clientTLS)
        self.http = http
        let reader = SourceReader(http: http)
        self.reader = reader
        self.consents = ConsentReader(sources: sources, reader: reader)
        self.relationships = relationships ?? SourceCareRelationships(sources: sources, reader: reader)
        self.userLimiter = RateLimiter(rate: limits.userRate, burst: limits.userBurst)
        self.clientLimiter = RateLimiter(rate: limits.clientRate, burst: limits.clientBurst)
    }

    /// Something happened to the patient (an event): their relationships and blocks are read afresh.
    public func forget(cpr: String) {
        relationships.forget(cpr: cpr)
        consents.forget(cpr: cpr)
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    /// The gateway's own base URL (source links in answers are rewritten to it).
    public var publicBase: String {
        get { base.withLock { $0 } }
        set { base.withLock { $0 = newValue } }
    }

    public func source(_ id: String) -> GatewaySource? { sources.first { $0.id == id } }
}
