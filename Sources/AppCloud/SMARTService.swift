import AsyncHTTPClient
import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Platform
import Transport
import Words

/// The app cloud on a node (SMART App Launch 2.2 and Backend Services): discovery, the AppStore catalogue, the
/// token endpoint and token introspection. What an app's token may then read is decided by the gateway
/// (`Gateway.appDenial`): its scopes, its installation and its status, within its user's own rights.
///
/// - `GET /.well-known/smart-configuration`: the authorization server's metadata (JSON)
/// - `GET /AppStore`: every app that is not withdrawn, with what it may read and who installed it (JSON)
/// - `POST /auth/smart/token`: `grant_type=client_credentials` with a `private_key_jwt` client assertion
/// - `POST /auth/smart/introspect`: RFC 7662, for a caller with a valid token of the platform
public final class SMARTService: NodeService {
    let gateway: Gateway
    let http: HTTPClient
    let logger: Logger
    let tokens: TokenEndpoint
    let authorization = Authorization()

    public init(gateway: Gateway, trust: ClientTLS = .system, logger: Logger = Logger(label: "sundhedscloud.apps")) {
        self.gateway = gateway
        self.logger = logger
        let http = HTTPClient.node(trust: trust)
        self.http = http
        self.tokens = TokenEndpoint(gateway: gateway, keys: AppKeySource(http: http), logger: logger)
    }

    public func started(base: String) {}

    public func shutdown() async { try? await http.shutdown() }

    public static let tokenPath = "/auth/smart/token"
    public static let introspectionPath = "/auth/smart/introspect"
    public static let authorizePath = "/auth/smart/authorize"
    public static let launchPath = "/auth/smart/launch"

    public func add(to router: Router<PlatformRequestContext>) {
        router.get("/.well-known/smart-configuration") { request, context in
            await NodeResponse.answer {
                try self.gateway.admit(user: nil, client: context.remoteAddress?.ipAddress)
                return Self.json(self.configuration(), status: .ok)
            }
        }
        router.get("/AppStore") { request, context in
            await NodeResponse.answer {
                try self.gateway.admit(user: nil, client: context.remoteAddress?.ipAddress)
                return Self.json(try await self.catalogue(), status: .ok)
            }
        }
        router.post(RouterPath(stringLiteral: Self.tokenPath)) { request, context in
            await self.token(request, context)
        }
        router.post(RouterPath(stringLiteral: Self.introspectionPath)) { request, context in
            await NodeResponse.answer { try await self.introspect(request, context) }
        }
        router.get(RouterPath(stringLiteral: Self.authorizePath)) { request, context in
            await self.authorize(request, context)
        }
        router.post(RouterPath(stringLiteral: Self.authorizePath)) { request, context in
            await self.login(request, context)
        }
        router.post(RouterPath(stringLiteral: Self.launchPath)) { request, context in
            await NodeResponse.answer { try await self.launch(request, context) }
        }
    }

    // MARK: - Discovery and the catalogue

    func configuration() -> JSONValue {
        let base = gateway.publicBase
        let scopes = ["system/*.rs", "user/*.rs", "patient/*.rs"]
        return .object([
            "issuer": .string(base),
            "token_endpoint": .string(base + Self.tokenPath),
            "introspection_endpoint": .string(base + Self.introspectionPath),
            "authorization_endpoint": .string(base + Self.authorizePath),
            "grant_types_supported": .array([.string("authorization_code"), .string("client_credentials")]),
            "token_endpoint_auth_methods_supported": .array([.string("private_key_jwt"), .string("none")]),
            "token_endpoint_auth_signing_alg_values_supported": .array(ClientAssertion.algorithms.map(JSONValue.string)),
            "scopes_supported": .array(scopes.map(JSONValue.string)),
            "response_types_supported": .array([.string("code")]),
            "capabilities": .array(
                [
                    "launch-ehr", "launch-standalone", "client-public", "client-confidential-asymmetric",
                    "context-banner", "context-ehr-patient", "context-standalone-patient", "permission-v1",
                    "permission-v2", "permission-user", "permission-patient",
                ].map(JSONValue.string)),
            "code_challenge_methods_supported": .array([.string("S256")]),
        ])
    }

    func catalogue() async throws -> JSONValue {
        let apps: [AppRegistration]
        let installations: [AppInstallation]
        do {
            (apps, installations) = try await gateway.apps.catalogue()
        } catch {
            throw PlatformError.unavailable(Phrase("oauth.registry-unavailable"))
        }
        let listed = apps.filter { $0.status != .withdrawn }.map { app -> JSONValue in
            var entry: JSONObject = [
                "client_id": .string(app.clientID), "name": .string(app.name), "vendor": .string(app.vendor),
                "description": .string(app.description), "kind": .string(app.kind.rawValue),
                "status": .string(app.status.rawValue), "scopes": .array(app.scopes.map(JSONValue.string)),
                "installed_by": .array(
                    installations.filter { $0.clientID == app.clientID }.map { .string($0.organization.name) }),
            ]
            if let launch = app.launchURL { entry["launch_url"] = .string(launch) }
            if app.status == .pilot, let until = app.pilotExpires {
                entry["pilot_until"] = .string(ISO8601DateFormatter().string(from: until))
            }
            return .object(entry)
        }
        return .object(["apps": .array(listed)])
    }

    // MARK: - Tokens

    func token(_ request: Request, _ context: PlatformRequestContext) async -> Response {
        let client = context.remoteAddress?.ipAddress
        do {
            do {
                try gateway.admit(user: nil, client: client)
            } catch {
                throw OAuthError("slow_down", error.phrase, status: 429)
            }
            guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
                throw OAuthError("invalid_request", Phrase("oauth.form-expected"))
            }
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: 32 << 10)
            } catch {
                throw OAuthError("invalid_request", Phrase("oauth.form-too-large"), status: 413)
            }
            let form = QueryString.parse(String(buffer: body))
            let grants = form.filter { $0.name == "grant_type" }.map(\.value)
            guard grants.count == 1, let grant = grants.first else {
                throw OAuthError("invalid_request", Phrase("oauth.grant-missing"))
            }
            let tokenURL = gateway.publicBase + Self.tokenPath
            var answer: JSONObject
            switch grant {
            case "client_credentials":
                let issued = try await tokens.clientCredentials(form, tokenURL: tokenURL)
                answer = Self.tokenAnswer(issued)
            case "authorization_code":
                let (issued, patient) = try await tokens.authorizationCode(
                    form, tokenURL: tokenURL, authorization: authorization)
                answer = Self.tokenAnswer(issued)
                if let patient {
                    answer["patient"] = .string(patient)
                    answer["need_patient_banner"] = .bool(true)
                }
            default:
                throw OAuthError(
                    "unsupported_grant_type",
                    Phrase("oauth.grant-unsupported", ["grant": .text(TextSanitizer.cleanLine(grant, maxLength: 60))]))
            }
            return Self.json(.object(answer), status: .ok)
        } catch let error as OAuthError {
            logger.warning("Tokenforespørgsel afvist (\(client ?? "-")): \(error.error): \(Catalog.danish.text(error.phrase))")
            return Self.oauthError(error)
        } catch {
            return Self.oauthError(OAuthError("server_error", Phrase("oauth.token-not-issued"), status: 500))
        }
    }

    /// RFC 7662: whether a token is active, and what it is for. The caller shows a valid token of the platform.
    func introspect(_ request: Request, _ context: PlatformRequestContext) async throws -> Response {
        do {
            return try await introspectToken(request, context)
        } catch let error as OAuthError {
            return Self.oauthError(error)
        }
    }

    func introspectToken(_ request: Request, _ context: PlatformRequestContext) async throws -> Response {
        let caller = try await gateway.authenticate(request.headers[.authorization])
        try gateway.admit(user: caller.id, client: context.remoteAddress?.ipAddress)
        var request = request
        let body = try await request.collectBody(upTo: 32 << 10)
        guard let token = QueryString.first("token", in: QueryString.parse(String(buffer: body))), !token.isEmpty else {
            throw OAuthError("invalid_request", Phrase("oauth.token-parameter-missing"))
        }
        guard let identity = try? await gateway.tokens.verify(token), let expires = await gateway.tokens.expiry(of: token)
        else { return Self.json(.object(["active": .bool(false)]), status: .ok) }
        // An app's token is active only while the app may be used.
        if let actor = identity.app {
            let app = try? await gateway.apps.app(actor.clientID)
            guard let app, app.isUsable() else { return Self.json(.object(["active": .bool(false)]), status: .ok) }
        }
        var answer: JSONObject = [
            "active": .bool(true), "sub": .string(identity.id), "iss": .string(gateway.tokens.issuer),
            "exp": .number(expires.timeIntervalSince1970.rounded(.down)), "token_type": .string("Bearer"),
        ]
        if let actor = identity.app {
            answer["client_id"] = .string(actor.clientID)
            answer["scope"] = .string(actor.scope)
            if let patient = actor.patient { answer["patient"] = .string(patient) }
        }
        return Self.json(.object(answer), status: .ok)
    }

    static func tokenAnswer(_ issued: TokenEndpoint.Issued) -> JSONObject {
        [
            "access_token": .string(issued.token), "token_type": .string("Bearer"),
            "expires_in": .number(Double(issued.expiresIn)), "scope": .string(issued.scope),
        ]
    }

    // MARK: - Answers

    static let pragma = HTTPField.Name("Pragma")!

    static func json(_ value: JSONValue, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store", pragma: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }

    /// RFC 6749 §5.2: `error`, and `error_description` in English (the RFC allows printable ASCII only there, other
    /// than `"` and `\`).
    static func oauthError(_ error: OAuthError) -> Response {
        let description = String(
            Catalog.english.text(error.phrase).unicodeScalars.filter {
                (0x20...0x7E).contains($0.value) && $0 != "\"" && $0 != "\\"
            }.map(Character.init))
        return json(
            .object(["error": .string(error.error), "error_description": .string(description)]),
            status: HTTPResponse.Status(code: error.status))
    }
}
