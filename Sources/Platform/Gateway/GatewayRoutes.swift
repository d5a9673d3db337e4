import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import Words

/// The gateway's HTTP API: `POST /auth/token` and `GET /auth/users` (demo identity provider), `GET /sources`,
/// `GET /sources/{id}/fhir/...` (reads and searches, forwarded under the access policy), `GET /AuditEvent` and a
/// citizen's opt-out of secondary use (`GET`/`PUT /me/research-opt-out`).
/// Emergency access: `X-Purpose-Of-Use: EMERGENCY` with the reason in `X-Emergency-Reason` (percent-encoded UTF-8).
public struct GatewayRoutes: Sendable {
    public typealias Context = PlatformRequestContext
    let gateway: Gateway

    public init(gateway: Gateway) {
        self.gateway = gateway
    }

    static let purposeOfUse = HTTPField.Name("X-Purpose-Of-Use")!
    static let emergencyReason = HTTPField.Name("X-Emergency-Reason")!

    public func add(to router: Router<Context>) {
        let gateway = self.gateway
        router.post("/auth/token") { request, context -> Response in
            let client = Self.client(gateway, request, context)
            return await Self.answer {
                try gateway.admit(user: nil, client: client)
                var request = request
                let body = try await request.collectBody(upTo: gateway.limits.maxRequestBytes)
                let text = String(buffer: body)
                var user: String?
                if let json = try? JSONValue.parse(Data(text.utf8)) {
                    user = json["user"]?.stringValue
                } else {
                    user = QueryString.first("user", in: QueryString.parse(text))
                }
                guard let user, !user.isEmpty else {
                    throw GatewayDenial(
                        status: 400, code: "required", reason: "user", phrase: Phrase("denial.user-missing"))
                }
                let (token, identity) = try await gateway.issueDemoToken(user: user)
                let identityJSON = (try? JSONValue.parse(JSONEncoder().encode(identity))) ?? .null
                return Self.json(
                    .object([
                        "access_token": .string(token), "token_type": .string("Bearer"),
                        "expires_in": .number(gateway.limits.tokenLifetime), "user": identityJSON,
                    ]), contentType: "application/json")
            }
        }
        router.get("/auth/users") { request, context -> Response in
            await Self.answer {
                try gateway.admit(user: nil, client: Self.client(gateway, request, context))
                let users = gateway.users.values.sorted { $0.id < $1.id }
                let json = (try? JSONValue.parse(JSONEncoder().encode(users))) ?? .array([])
                return Self.json(.object(["users": json]), contentType: "application/json")
            }
        }
        router.get("/sources") { request, context -> Response in
            await Self.answer {
                let identity = try await gateway.authenticate(request.headers[.authorization])
                try gateway.admit(user: identity.id, client: Self.client(gateway, request, context))
                return Self.json(await gateway.sourceList(), contentType: "application/json")
            }
        }
        router.get("/sources/:source/fhir/**") { request, context -> Response in
            await Self.answer {
                let identity = try await gateway.authenticate(request.headers[.authorization])
                try gateway.admit(user: identity.id, client: Self.client(gateway, request, context))
                var reason: String?
                if request.headers[Self.purposeOfUse]?.uppercased() == "EMERGENCY" {
                    let raw = request.headers[Self.emergencyReason] ?? ""
                    reason = String(
                        (raw.removingPercentEncoding ?? raw).unicodeScalars.filter {
                            !CharacterSet.controlCharacters.contains($0)
                        }.map(Character.init).prefix(500))
                }
                let path = context.parameters.getCatchAll().joined(separator: "/")
                let answer = try await gateway.forward(
                    identity: identity, client: Self.client(gateway, request, context),
                    sourceID: context.parameters.get("source") ?? "",
                    path: path, query: request.uri.query ?? "", emergencyReason: reason,
                    ifNoneMatch: request.headers[.ifNoneMatch])
                var headers = HTTPFields()
                for (name, value) in answer.headers {
                    if let field = HTTPField.Name(name) { headers[field] = value }
                }
                return Response(
                    status: .init(code: answer.status), headers: headers,
                    body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
            }
        }
        // A citizen's opt-out of secondary use (EHDS art. 71): `{"optedOut": true}` or `false`.
        router.get("/me/research-opt-out") { request, context -> Response in
            await Self.answer {
                let identity = try await gateway.authenticate(request.headers[.authorization])
                try gateway.admit(user: identity.id, client: Self.client(gateway, request, context))
                let optedOut = try await gateway.researchOptOut(of: identity)
                return Self.json(.object(["optedOut": .bool(optedOut)]), contentType: "application/json")
            }
        }
        router.put("/me/research-opt-out") { request, context -> Response in
            await Self.answer {
                let identity = try await gateway.authenticate(request.headers[.authorization])
                try gateway.admit(user: identity.id, client: Self.client(gateway, request, context))
                var request = request
                let body = try await request.collectBody(upTo: 4096)
                guard let json = try? JSONValue.parse(Data(buffer: body)), case .bool(let optOut)? = json["optedOut"] else {
                    throw GatewayDenial(
                        status: 400, code: "invalid", reason: "body", phrase: Phrase("denial.opt-out-body"))
                }
                try await gateway.setResearchOptOut(optOut, for: identity)
                return Self.json(.object(["optedOut": .bool(optOut)]), contentType: "application/json")
            }
        }
        router.get("/AuditEvent/$checkpoint") { request, context -> Response in
            await Self.answer { try await Self.checkpoint(gateway, client: Self.client(gateway, request, context)) }
        }
        router.get("/AuditEvent") { request, context -> Response in
            await Self.answer {
                let identity = try await gateway.authenticate(request.headers[.authorization])
                try gateway.admit(user: identity.id, client: Self.client(gateway, request, context))
                let query = request.uri.queryParameters
                let patient = query.get("patient").map { String($0.filter(\.isNumber)) }
                let emergency = query.get("emergency") == "true" || query.get("purpose") == "EMERGENCY"
                let limit = min(max(query.get("_count").flatMap { Int($0) } ?? 500, 1), 5000)
                return FHIRResponse.json(
                    try await gateway.auditEvents(
                        identity: identity, patient: patient, emergencyOnly: emergency,
                        app: query.get("app").map { String($0) }, limit: limit))
            }
        }
    }

    /// `GET /AuditEvent/$checkpoint`: the audit chain's head as it is now, signed now by this node's key, for anyone
    /// (citizen, auditor, a neighbouring node) to keep. It tells the number of entries and the last hash, nothing
    /// about whom they concern, so no token is needed.
    static func checkpoint(_ gateway: Gateway, client: String?) async throws -> Response {
        try gateway.admit(user: nil, client: client)
        let checkpoint: AuditCheckpoint
        do {
            checkpoint = try await gateway.checkpoints.current()
        } catch {
            throw GatewayDenial(
                status: 503, code: "transient", reason: "audit-unavailable", phrase: Phrase("denial.audit-unreadable-now"))
        }
        // One JSON line, ending as a line does: `curl .../AuditEvent/$checkpoint >> mine.jsonl` keeps a file that
        // `audit verify --checkpoints` reads.
        return Response(
            status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: checkpoint.json.serialized() + [UInt8(ascii: "\n")])))
    }

    /// A denial as an OperationOutcome, with `WWW-Authenticate` (401) or `Retry-After` (429).
    static func refusal(_ denial: GatewayDenial) -> Response {
        var headers: HTTPFields = [.contentType: FHIRResponse.contentType]
        if denial.status == 401 { headers[.wwwAuthenticate] = "Bearer realm=\"sundhedscloud\"" }
        if let wait = denial.retryAfter { headers[.retryAfter] = String(wait) }
        let data = (try? FHIRJSON.encode(denial.outcome)) ?? Data("{}".utf8)
        return Response(status: .init(code: denial.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static let serviceKey = HTTPField.Name("X-SundhedsCloud-Service")!
    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    /// The client the rate limits count (the caller a node service forwards, see `Gateway.clientAddress`).
    public static func client(_ gateway: Gateway, _ request: Request, _ context: Context) -> String? {
        gateway.clientAddress(
            connection: context.remoteAddress?.ipAddress, serviceKey: request.headers[serviceKey],
            forwardedFor: request.headers[forwardedFor])
    }

    static func json(_ value: JSONValue, contentType: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: contentType, .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }

    /// One way to answer for engine and gateway routes alike (refusals with their headers, FHIR errors, 413, 500).
    static func answer(_ work: () async throws -> Response) async -> Response {
        await EngineRoutes.answer(work)
    }
}
