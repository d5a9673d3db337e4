import AsyncHTTPClient
import FHIR
import Foundation
import Logging
import NIOCore
import Synchronization
import Transport
import Words

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
    let consents: ConsentReader
    let reader: SourceReader
    let http: HTTPClient
    let userLimiter: RateLimiter
    let clientLimiter: RateLimiter
    let logger: Logger
    private let patientCPRs = Mutex<[String: String]>([:])
    private let base = Mutex("http://127.0.0.1")
    private let healthCache = Mutex<[String: (JSONValue, Date)]>([:])

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
        self.limits = limits
        self.logger = logger
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        configuration.tlsConfiguration = clientTLS.configuration
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
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

    // MARK: Who and how often

    /// The identity of a `Bearer` token.
    public func authenticate(_ authorization: String?) async throws(GatewayDenial) -> Identity {
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else {
            throw .unauthenticated(Phrase("denial.no-token"))
        }
        return try await tokens.verify(String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces))
    }

    /// 429 when the user or the client address has used up its requests.
    public func admit(user: String?, client: String?) throws(GatewayDenial) {
        for (limiter, key, id) in [
            (userLimiter, user, "denial.rate-limit-user"), (clientLimiter, client, "denial.rate-limit-client"),
        ] {
            guard let key, let wait = limiter.take(key) else { continue }
            throw GatewayDenial(
                status: 429, code: "throttled", reason: "rate-limit", phrase: Phrase(id, ["wait": .integer(wait)]),
                retryAfter: wait)
        }
    }

    /// A demo user's token (demo identity provider).
    public func issueDemoToken(user id: String) async throws(GatewayDenial) -> (token: String, identity: Identity) {
        guard !users.isEmpty, tokens.canIssue else {
            throw GatewayDenial(status: 404, code: "not-found", reason: "no-idp", phrase: Phrase("denial.no-demo-idp"))
        }
        guard let identity = users[id] else {
            throw GatewayDenial(
                status: 400, code: "invalid", reason: "unknown-user",
                phrase: Phrase(
                    "denial.unknown-user",
                    ["user": .text(id), "known": .text(users.keys.sorted().joined(separator: ", "))]))
        }
        do {
            return (try await tokens.issue(identity, lifetime: limits.tokenLifetime), identity)
        } catch {
            throw GatewayDenial(
                status: 500, code: "exception", reason: "token",
                phrase: Phrase("denial.token-not-issued", ["error": .error(error)]))
        }
    }

    // MARK: Forwarding

    /// Forwards a FHIR read or search (`path` after `.../fhir/`, `query` without `?`) under the access policy.
    public func forward(
        identity: Identity, client: String?, sourceID: String, path: String, query: String, emergencyReason: String?,
        ifNoneMatch: String?
    ) async throws(GatewayDenial) -> Forwarded {
        guard let source = source(sourceID), source.kind == .clinical else {
            let known = sources.filter { $0.kind == .clinical }.map(\.id).joined(separator: ", ")
            throw GatewayDenial(
                status: 404, code: "not-found", reason: "unknown-source",
                phrase: Phrase("denial.unknown-source", ["source": .text(sourceID), "known": .text(known)]))
        }
        let parts = path.split(separator: "/").map(String.init)
        guard let type = parts.first else {
            throw GatewayDenial(
                status: 400, code: "not-supported", reason: "path", phrase: Phrase("denial.resource-type-missing"))
        }
        if type == "metadata" {
            guard identity.role != .logAuditor else { throw Self.auditorDenied }
            var forwarded = try await send(source, path: path, query: query, ifNoneMatch: ifNoneMatch, rewrite: true)
            if forwarded.status == 200 { forwarded.body = Self.readsOnly(forwarded.body) }
            return forwarded
        }
        guard parts.count <= 2, Self.isResourceType(type), parts.count < 2 || Self.isFHIRID(parts[1]) else {
            throw GatewayDenial(
                status: 400, code: "not-supported", reason: "path",
                phrase: Phrase(
                    "denial.path-not-forwarded", ["path": .text(TextSanitizer.cleanLine(path, maxLength: 120))]))
        }
        let pairs = QueryString.parse(query)
        let parameters = pairs.map { ($0.name, $0.value) }
        // The source gets the query as the gateway read it: decided on one reading, answered on the same.
        let query = QueryString.encode(pairs)
        let action = parts.count == 2 ? "read" : "search"
        if parts.count == 2, type != "Patient" {
            return try await read(identity, client, source: source, path: path, type: type, emergencyReason: emergencyReason)
        }
        switch try await subject(source, type: type, id: parts.count == 2 ? parts[1] : nil, parameters: parameters) {
        case .one(let cpr):
            let decision = await decide(identity, cpr: cpr, source: source, emergencyReason: emergencyReason)
            try await log(identity, client, cpr: cpr, source: source, types: [type], action: action, decision: decision)
            return try await send(source, path: path, query: query, ifNoneMatch: ifNoneMatch, rewrite: true)
        case .many:
            guard identity.role != .logAuditor else { throw Self.auditorDenied }
            // A count across patients would tell about patients the user may not see.
            if parameters.contains(where: { ($0.0 == "_summary" && $0.1 == "count") || ($0.0 == "_count" && $0.1 == "0") }) {
                throw GatewayDenial.forbidden("count", Phrase("denial.count-across-patients"))
            }
            var answer = try await send(source, path: path, query: query, ifNoneMatch: nil, rewrite: true)
            guard answer.status == 200 else { return answer }
            answer = try await filter(answer, identity: identity, client: client, source: source, action: action)
            return answer
        }
    }

    /// A FHIR resource type name (`Patient`): a capital letter, then letters, at most 64.
    static func isResourceType(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("A"..."Z").contains(first), text.unicodeScalars.count <= 64 else {
            return false
        }
        return text.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("a"..."z").contains($0) }
    }

    /// A FHIR id: 1 to 64 of `A-Z a-z 0-9 - .`.
    static func isFHIRID(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        return (1...64).contains(scalars.count)
            && scalars.allSatisfy {
                ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "."
            }
    }

    /// A failed read of the source: 404 when the source says so, 504 when it did not answer in time, 502 otherwise.
    static func denial(_ error: any Error, notFound: Phrase) -> GatewayDenial {
        let failure = error as? SourceReader.Failure
        if failure?.status == 404 || failure?.status == 410 {
            return GatewayDenial(status: 404, code: "not-found", reason: "not-found", phrase: notFound)
        }
        let phrase = failure?.phrase ?? .verbatim("\(error)")
        if failure?.timedOut == true {
            return GatewayDenial(status: 504, code: "timeout", reason: "source", phrase: phrase)
        }
        return GatewayDenial(status: 502, code: "transient", reason: "source", phrase: phrase)
    }

    static let auditorDenied = GatewayDenial.forbidden("role", Phrase("denial.auditor-no-clinical-data"))

    enum Subject {
        case one(String)
        case many
    }

    /// Whom a search or a Patient read concerns: one patient (by CPR identifier or by the source's patient id), or
    /// possibly many (a search not limited to a patient: its answer is filtered entry by entry). Reads of other
    /// resources are decided on the resource itself (`read`).
    func subject(
        _ source: GatewaySource, type: String, id: String?, parameters: [(String, String)]
    ) async throws(GatewayDenial) -> Subject {
        func value(_ name: String) -> String? { parameters.first { $0.0 == name }?.1 }
        if type == "Patient" {
            if let id { return .one(try await cpr(source, patientID: id)) }
            if let identifier = value("identifier") {
                let parts = identifier.split(separator: "|", maxSplits: 1).map(String.init)
                guard parts.count == 2, parts[0] == DanishSystems.cpr, !parts[1].contains(",") else { return .many }
                return .one(parts[1].filter(\.isNumber))
            }
            if let ids = value("_id"), !ids.contains(",") { return .one(try await cpr(source, patientID: ids)) }
            return .many
        }
        for name in ["patient", "subject", "patient._id", "subject._id"] {
            if let reference = value(name), !reference.contains(",") {
                return .one(try await cpr(source, patientID: reference))
            }
        }
        return .many
    }

    /// A read of a resource that is not a Patient: whose it is, is in the resource, so it is fetched once (without
    /// `If-None-Match`, the body is needed), decided and logged before anything is returned. A resource of no patient
    /// (an Organization) passes; the source's own errors (404) pass as they are.
    func read(
        _ identity: Identity, _ client: String?, source: GatewaySource, path: String, type: String, emergencyReason: String?
    ) async throws(GatewayDenial) -> Forwarded {
        guard identity.role != .logAuditor else { throw Self.auditorDenied }
        let answer = try await send(source, path: path, query: "", ifNoneMatch: nil, rewrite: true)
        guard answer.status == 200, let resource = try? JSONValue.parse(Data(answer.body)),
            let reference = Self.patientReference(resource)
        else { return answer }
        let cpr = try await cpr(source, patientID: reference)
        let decision = await decide(identity, cpr: cpr, source: source, emergencyReason: emergencyReason)
        try await log(identity, client, cpr: cpr, source: source, types: [type], action: "read", decision: decision)
        return answer
    }

    static func patientReference(_ resource: JSONValue) -> String? {
        for key in ["subject", "patient"] {
            if let reference = resource[key]?["reference"]?.stringValue, reference.contains("Patient/") { return reference }
        }
        for participant in resource["participant"]?.listValue ?? [] {
            if let reference = participant["actor"]?["reference"]?.stringValue, reference.contains("Patient/") {
                return reference
            }
        }
        return nil
    }

    /// The CPR number of a source's patient (`123`, `Patient/123` or an absolute URL); remembered in memory only.
    func cpr(_ source: GatewaySource, patientID reference: String) async throws(GatewayDenial) -> String {
        let id = reference.split(separator: "/").last.map(String.init) ?? reference
        let key = "\(source.id)|\(id)"
        if let known = patientCPRs.withLock({ $0[key] }) { return known }
        let patient: JSONValue
        do {
            patient = try await reader.json(source, "Patient/\(id)")
        } catch {
            throw Self.denial(
                error, notFound: Phrase("denial.patient-not-found", ["id": .text(id), "source": .text(source.name)]))
        }
        guard let cpr = SourceReader.cpr(of: patient) else {
            throw GatewayDenial.forbidden("no-cpr", Phrase("denial.no-cpr"))
        }
        remember(cpr, source: source.id, id: id)
        return cpr
    }

    private func remember(_ cpr: String, source: String, id: String) {
        patientCPRs.withLock { all in
            if all.count > 100_000 { all.removeAll() }
            all["\(source)|\(id)"] = cpr
        }
    }

    /// The access decision for one patient, reading relationship and blocks as needed.
    func decide(
        _ identity: Identity, cpr: String, source: GatewaySource, emergencyReason: String?
    ) async
        -> AccessPolicy.Decision
    {
        guard identity.role.isClinician else {
            return AccessPolicy.decide(
                identity: identity, cpr: cpr, dataSector: source.sector, relationship: nil, blocks: [],
                emergencyReason: nil)
        }
        do {
            async let relationship = relationships.relationship(of: identity, to: cpr)
            async let blocks = consents.blocks(cpr: cpr)
            return AccessPolicy.decide(
                identity: identity, cpr: cpr, dataSector: source.sector, relationship: try await relationship,
                blocks: try await blocks, emergencyReason: emergencyReason)
        } catch {
            if let reason = emergencyReason?.trimmingCharacters(in: .whitespacesAndNewlines),
                reason.count >= AccessPolicy.minimumReason
            {
                return .emergency(reason: reason, overrode: "adgangen kunne ikke afgøres (\(error))")
            }
            return .deny(
                GatewayDenial(
                    status: 503, code: "transient", reason: "undecidable",
                    phrase: Phrase("denial.undecidable", ["error": .error(error)])))
        }
    }

    /// Writes the audit entry of a decision; throws the denial after logging it, and a 503 when the log cannot be
    /// written (then nothing is served).
    func log(
        _ identity: Identity, _ client: String?, cpr: String, source: GatewaySource, types: [String], action: String,
        decision: AccessPolicy.Decision
    ) async throws(GatewayDenial) {
        let entry: AuditEntry
        switch decision {
        case .permit(let purpose, _):
            entry = AuditEntry(
                identity: identity, patientCPR: cpr, sourceID: source.id, resourceTypes: types, action: action,
                purpose: purpose, outcome: "success", reason: nil, emergency: false, client: client)
        case .emergency(let reason, _):
            entry = AuditEntry(
                identity: identity, patientCPR: cpr, sourceID: source.id, resourceTypes: types, action: action,
                purpose: "EMERGENCY", outcome: "success", reason: reason, emergency: true, client: client)
        case .deny(let denial):
            entry = AuditEntry(
                identity: identity, patientCPR: cpr, sourceID: source.id, resourceTypes: types, action: action,
                purpose: identity.role == .citizen ? "PATRQT" : "TREAT",
                outcome: denial.reason == "blocked-by-patient" ? "withheld" : "denied", reason: denial.reason,
                emergency: false, client: client)
        }
        do {
            checkpoints.appended(try await storage.appendAudit(entry))
        } catch {
            logger.error("Adgangsloggen kan ikke skrives: \(error)")
            throw GatewayDenial(
                status: 503, code: "transient", reason: "audit-unavailable", phrase: Phrase("denial.audit-unwritable"))
        }
        if case .deny(let denial) = decision { throw denial }
    }

    /// Drops the entries of patients the user may not see from a multi-patient search answer, logs one entry per
    /// patient shown, and says in an `outcome` entry how many were left out.
    func filter(
        _ answer: Forwarded, identity: Identity, client: String?, source: GatewaySource, action: String
    ) async throws(GatewayDenial) -> Forwarded {
        guard var bundle = try? JSONValue.parse(Data(answer.body)), bundle["resourceType"]?.stringValue == "Bundle" else {
            throw GatewayDenial(
                status: 502, code: "processing", reason: "source-answer",
                phrase: Phrase("source-answer.not-fhir-bundle", ["source": .text(source.name)]))
        }
        let entries = bundle["entry"]?.listValue ?? []
        // Learn the CPR numbers of patients in the answer, then fetch those only referenced.
        for entry in entries {
            if let resource = entry["resource"], resource["resourceType"]?.stringValue == "Patient",
                let id = resource["id"]?.stringValue, let cpr = SourceReader.cpr(of: resource)
            {
                remember(cpr, source: source.id, id: id)
            }
        }
        var decisions: [String: AccessPolicy.Decision] = [:]
        var kept: [JSONValue] = []
        var shown: [String: Set<String>] = [:]
        var left = 0
        for entry in entries {
            guard let resource = entry["resource"] else { continue }
            let patientCPR: String?
            if resource["resourceType"]?.stringValue == "Patient" {
                patientCPR = SourceReader.cpr(of: resource)
            } else if let reference = Self.patientReference(resource) {
                patientCPR = try? await cpr(source, patientID: reference)
            } else {
                kept.append(entry)
                continue
            }
            guard let patientCPR else {
                left += 1
                continue
            }
            if decisions[patientCPR] == nil {
                decisions[patientCPR] = await decide(identity, cpr: patientCPR, source: source, emergencyReason: nil)
            }
            switch decisions[patientCPR]! {
            case .permit, .emergency:
                kept.append(entry)
                shown[patientCPR, default: []].insert(resource["resourceType"]?.stringValue ?? "?")
            case .deny:
                left += 1
            }
        }
        for (cpr, types) in shown.sorted(by: { $0.key < $1.key }) {
            try await log(
                identity, client, cpr: cpr, source: source, types: Array(types), action: action, decision: decisions[cpr]!)
        }
        if left > 0 {
            let leftOut = Phrase("denial.entries-left-out", ["count": .integer(left)])
            kept.append(
                .object([
                    "resource": .object([
                        "resourceType": .string("OperationOutcome"),
                        "issue": .array([
                            .object([
                                "severity": .string("information"), "code": .string("suppressed"),
                                "diagnostics": .string(Catalog.danish.text(leftOut)),
                                "details": .object(["text": .string(Catalog.english.text(leftOut))]),
                            ])
                        ]),
                    ]),
                    "search": .object(["mode": .string("outcome")]),
                ]))
        }
        if case .object(var members) = bundle {
            // A count across patients says something about patients the user may not see: never passed on.
            members["total"] = nil
            members["entry"] = .array(kept)
            bundle = .object(members)
        }
        var filtered = answer
        filtered.body = bundle.serialized()
        filtered.headers.removeAll { $0.0.lowercased() == "etag" }
        return filtered
    }

    /// One request to the source within its time limit; its links rewritten to point through the gateway.
    func send(
        _ source: GatewaySource, path: String, query: String, ifNoneMatch: String?, rewrite: Bool
    ) async throws(GatewayDenial) -> Forwarded {
        var request = HTTPClientRequest(url: source.fhir + "/" + path + (query.isEmpty ? "" : "?" + query))
        request.headers.add(name: "Accept", value: "application/fhir+json")
        request.tlsConfiguration = source.tls?.configuration
        if let ifNoneMatch { request.headers.add(name: "If-None-Match", value: ifNoneMatch) }
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await http.execute(request, timeout: .milliseconds(Int64(source.timeoutMs)))
            body = try await response.body.collect(upTo: 64 << 20)
        } catch {
            if let words = TLSWords.reason(for: error) {
                throw GatewayDenial(
                    status: 502, code: "security", reason: "source-certificate",
                    phrase: Phrase(
                        "source-answer.certificate-nothing-sent", ["source": .text(source.name), "problem": .phrase(words)]))
            }
            let timedOut = SourceReader.isTimeout(error)
            throw GatewayDenial(
                status: timedOut ? 504 : 502, code: timedOut ? "timeout" : "transient", reason: "source",
                phrase: timedOut
                    ? Phrase(
                        "source-answer.timeout",
                        ["source": .text(source.name), "reason": .phrase(.timeout(milliseconds: source.timeoutMs))])
                    : Phrase("source-answer.unreachable", ["source": .text(source.name), "error": .text("\(error)")]))
        }
        var headers: [(String, String)] = []
        for name in ["Content-Type", "ETag", "Last-Modified"] {
            if let value = response.headers.first(name: name) { headers.append((name, value)) }
        }
        var bytes = Array(body.readableBytesView)
        if rewrite {
            bytes = Self.replace(
                Array((source.fhir + "/").utf8), with: Array((publicBase + "/sources/\(source.id)/fhir/").utf8), in: bytes)
        }
        return Forwarded(status: Int(response.status.code), headers: headers, body: bytes)
    }

    /// A source's CapabilityStatement as seen through the gateway, which forwards reads and searches one by one:
    /// whole-system interactions (`batch`, `transaction`) the source offers are not offered here.
    static func readsOnly(_ statement: [UInt8]) -> [UInt8] {
        guard case .object(var root)? = try? JSONValue.parse(Data(statement)), case .array(let rests)? = root["rest"]
        else { return statement }
        root["rest"] = .array(
            rests.map { rest in
                guard case .object(var server) = rest else { return rest }
                server["interaction"] = nil
                return .object(server)
            })
        return JSONValue.object(root).serialized()
    }

    /// `bytes` with every occurrence of `pattern` replaced.
    static func replace(_ pattern: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard let first = pattern.first, bytes.count >= pattern.count else { return bytes }
        var out: [UInt8] = []
        var index = 0
        var copied = 0
        while index <= bytes.count - pattern.count {
            if bytes[index] == first, bytes[index..<(index + pattern.count)].elementsEqual(pattern) {
                if out.isEmpty { out.reserveCapacity(bytes.count + 256) }
                out += bytes[copied..<index]
                out += replacement
                index += pattern.count
                copied = index
            } else {
                index += 1
            }
        }
        if copied == 0 { return bytes }
        out += bytes[copied...]
        return out
    }

    // MARK: Sources and log

    /// The registered sources with what they support and whether they answer (checked at most every 10 s).
    public func sourceList() async -> JSONValue {
        let list = await withTaskGroup(of: (Int, JSONValue).self) { group in
            for (index, source) in sources.enumerated() {
                group.addTask { (index, await self.describe(source)) }
            }
            var all: [(Int, JSONValue)] = []
            for await item in group { all.append(item) }
            return all.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return .object(["sources": .array(list)])
    }

    private func describe(_ source: GatewaySource) async -> JSONValue {
        if let (known, at) = healthCache.withLock({ $0[source.id] }), Date().timeIntervalSince(at) < 10 { return known }
        let clock = ContinuousClock()
        let started = clock.now
        var health: JSONObject = ["checked": .string(FHIRDateTime(date: Date(), precision: .second).text)]
        var supports: [JSONValue] = []
        do {
            let statement = try await reader.json(source, "metadata")
            health["status"] = .string("up")
            let rest = statement["rest"]?.listValue.first
            supports = (rest?["resource"]?.listValue ?? []).compactMap { $0["type"]?.stringValue }.map(JSONValue.string)
        } catch {
            health["status"] = .string("down")
            health["message"] = .string("\(error)")
        }
        health["latencyMs"] = .number(
            Double(
                (clock.now - started).components.attoseconds / 1_000_000_000_000_000
                    + (clock.now - started).components.seconds * 1000))
        var described: JSONObject = [
            "id": .string(source.id), "name": .string(source.name), "sector": .string(source.sector),
            "kind": .string(source.kind.rawValue), "supports": .array(supports), "health": .object(health),
        ]
        if source.kind == .clinical { described["fhir"] = .string("\(publicBase)/sources/\(source.id)/fhir") }
        let value = JSONValue.object(described)
        healthCache.withLock { $0[source.id] = (value, Date()) }
        return value
    }

    /// Audit entries as AuditEvents: a citizen their own, log follow-up anyone's; nobody else.
    public func auditEvents(
        identity: Identity, patient: String?, emergencyOnly: Bool, limit: Int
    ) async throws(GatewayDenial) -> JSONValue {
        switch identity.role {
        case .citizen:
            guard let own = identity.cpr, patient == nil || patient == own else {
                throw .forbidden("not-own-data", Phrase("denial.citizen-own-log"))
            }
            return try await entries(patient: own, emergencyOnly: emergencyOnly, limit: limit).json
        case .logAuditor:
            let (json, patients) = try await entries(patient: patient, emergencyOnly: emergencyOnly, limit: limit)
            // Reading a citizen's log is itself an access the citizen sees in their log, written before the log leaves.
            for cpr in patients.sorted() {
                try await log(
                    identity, nil, cpr: cpr, source: Self.accessLogSource, types: ["AuditEvent"], action: "read",
                    decision: .permit(purpose: "HOPERAT", basis: "log follow-up"))
            }
            return json
        default:
            throw .forbidden("role", Phrase("denial.access-log-roles"))
        }
    }

    /// The access log itself as the "source" of a log read (its entries name it `access-log`).
    static let accessLogSource = GatewaySource(
        id: "access-log", name: "Adgangsloggen", sector: "other", fhir: "-", kind: .preferences)

    /// The entries as a searchset, newest first, and the patients they are about.
    private func entries(
        patient: String?, emergencyOnly: Bool, limit: Int
    ) async throws(GatewayDenial) -> (json: JSONValue, patients: Set<String>) {
        do {
            var all: [AuditEntry] = []
            var after: Int64 = 0
            while true {
                let page = try await storage.auditEntries(
                    patient: patient, emergencyOnly: emergencyOnly, after: after, limit: 1000)
                all += page
                guard let last = page.last, page.count == 1000 else { break }
                after = last.sequence
            }
            // Newest first, as a log is read.
            let kept = all.suffix(limit)
            let shown = kept.reversed().map(AuditEventResource.resource)
            return (
                FHIRResponse.searchset(Array(shown), selfURL: publicBase + "/AuditEvent"),
                Set(kept.compactMap(\.patientCPR))
            )
        } catch {
            throw GatewayDenial(
                status: 503, code: "transient", reason: "audit-unavailable",
                phrase: Phrase("denial.audit-unreadable", ["error": .error(error)]))
        }
    }
}

/// Notifications tell no more than may be opened: an event is delivered to a subscriber only when the gateway would
/// let them read the patient's data from that source now (relationship and the patient's blocks, no emergency
/// access), decided afresh when the event arrives.
extension Gateway: DeliveryGate {
    public func eventArrived(_ event: EventRecord) {
        if let cpr = event.patientCPR { forget(cpr: cpr) }
    }

    public func mayBeTold(_ audience: Identity, about event: EventRecord) async -> Bool {
        switch audience.role {
        case .citizen:
            return event.patientCPR != nil && event.patientCPR == audience.cpr
        case .logAuditor:
            return false
        case .edDoctor, .doctor, .gp, .homeNurse:
            break
        }
        // An event that names no patient tells nothing about a person (its focus is read through the gateway).
        guard let cpr = event.patientCPR else { return true }
        guard let source = sources.first(where: { $0.id == event.sourceID }) else { return false }
        if case .permit = await decide(audience, cpr: cpr, source: source, emergencyReason: nil) { return true }
        return false
    }
}
