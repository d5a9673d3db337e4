import AsyncHTTPClient
import Crypto
import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Platform
import Synchronization
import Transport
import Words

/// The demo's user-facing SMART apps, served by the demo node at `/demo-apps/<client id>/` so that a launch from
/// Overblik's `:apps` (EHR launch) or a citizen's visit (standalone launch) ends in a page in the browser. Each is a
/// SMART client as a vendor would write it, only hosted here: it takes `launch` and `iss` at its launch URL, refuses
/// an `iss` that is not its platform, sends the browser to the authorization endpoint with PKCE (S256), takes the code
/// at its redirect URI, exchanges it at the token endpoint over HTTP, and reads the token's patient's vaccinations
/// through the gateway with the token. It holds nothing but its pending authorizations (ten minutes, a bounded
/// number) and no data after the page is sent.
public final class DemoWebApp: NodeService {
    struct App: Sendable {
        let clientID: String
        let name: String
        let scope: String
    }

    static let apps = [
        App(
            clientID: DemoApps.citizenApp, name: "Mine vaccinationer",
            scope: "launch/patient patient/Immunization.rs patient/Patient.rs"),
        App(
            clientID: DemoApps.clinicianApp, name: "Vaccinationsstatus",
            scope: "launch patient/Immunization.rs patient/Patient.rs"),
    ]
    static let prefix = "/demo-apps"
    static let lifetime: TimeInterval = 600
    static let maxPending = 1000

    struct Pending: Sendable {
        let clientID: String
        let verifier: String
        let expires: Date
    }

    let gateway: Gateway
    let http: HTTPClient
    private let base = Mutex("")
    private let pending = Mutex<[String: Pending]>([:])
    let logger: Logger

    init(gateway: Gateway, trust: ClientTLS, logger: Logger) {
        self.gateway = gateway
        self.http = HTTPClient.node(trust: trust)
        self.logger = logger
    }

    /// Where the browser finds the app's pages.
    public static func launchURL(_ clientID: String, base: String) -> String { "\(base)\(prefix)/\(clientID)/launch" }
    static func redirectURI(_ clientID: String, base: String) -> String { "\(base)\(prefix)/\(clientID)/callback" }

    public func add(to router: Router<PlatformRequestContext>) {
        router.get(RouterPath(stringLiteral: Self.prefix + "/:app/launch")) { request, context in
            self.launch(request, app: context.parameters.get("app"))
        }
        router.get(RouterPath(stringLiteral: Self.prefix + "/:app/callback")) { request, context in
            await self.callback(request, app: context.parameters.get("app"))
        }
    }

    public func started(base: String) { self.base.withLock { $0 = base } }

    public func shutdown() async { try? await http.shutdown() }

    // MARK: - The launch

    func launch(_ request: Request, app id: String?) -> Response {
        guard let app = Self.apps.first(where: { $0.clientID == id }) else { return Self.notFound() }
        let query = request.uri.queryParameters
        let platform = gateway.publicBase
        // An app only goes to the platform it knows: an `iss` of another server could collect the user's login.
        if let iss = query["iss"].map(String.init), iss != platform {
            return page(
                app, status: .badRequest,
                html: Self.paragraph(
                    Self.words("demoapp.wrong-iss", ["iss": .text(TextSanitizer.cleanLine(iss, maxLength: 200))])))
        }
        let state = RandomSecret.make()
        let verifier = RandomSecret.make() + RandomSecret.make()
        let challenge = RandomSecret.base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
        let now = Date()
        let room: Bool = pending.withLock { all in
            all = all.filter { $0.value.expires > now }
            guard all.count < Self.maxPending else { return false }
            all[state] = Pending(clientID: app.clientID, verifier: verifier, expires: now + Self.lifetime)
            return true
        }
        guard room else { return page(app, status: .serviceUnavailable, html: Self.paragraph(Self.words("demoapp.busy"))) }
        var parameters: [(String, String)] = [
            ("response_type", "code"), ("client_id", app.clientID),
            ("redirect_uri", Self.redirectURI(app.clientID, base: platform)), ("scope", app.scope), ("state", state),
            ("aud", platform), ("code_challenge", challenge), ("code_challenge_method", "S256"),
        ]
        if let launch = query["launch"].map(String.init) { parameters.append(("launch", launch)) }
        let encoded = parameters.map { "\($0.0)=\(QueryString.encodeComponent($0.1))" }.joined(separator: "&")
        return Response(
            status: .seeOther,
            headers: [.location: "\(platform)/auth/smart/authorize?\(encoded)", .cacheControl: "no-store"])
    }

    // MARK: - The redirect back, the token and the read

    func callback(_ request: Request, app id: String?) async -> Response {
        guard let app = Self.apps.first(where: { $0.clientID == id }) else { return Self.notFound() }
        let query = request.uri.queryParameters
        let now = Date()
        guard let state = query["state"].map(String.init),
            let started = pending.withLock({ $0.removeValue(forKey: state) }), started.clientID == app.clientID,
            started.expires > now
        else { return page(app, status: .badRequest, html: Self.paragraph(Self.words("demoapp.unknown-state"))) }
        if let error = query["error"].map(String.init) {
            let shown = TextSanitizer.cleanLine(error, maxLength: 100)
            return page(app, status: .ok, html: Self.paragraph(Self.words("demoapp.refused", ["error": .text(shown)])))
        }
        guard let code = query["code"].map(String.init) else {
            return page(app, status: .badRequest, html: Self.paragraph(Self.words("demoapp.unknown-state")))
        }
        let nodeBase = base.withLock { $0 }
        do {
            let token = try await post(
                nodeBase + "/auth/smart/token",
                [
                    ("grant_type", "authorization_code"), ("code", code), ("client_id", app.clientID),
                    ("redirect_uri", Self.redirectURI(app.clientID, base: gateway.publicBase)),
                    ("code_verifier", started.verifier),
                ])
            guard let access = token["access_token"]?.stringValue, let cpr = token["patient"]?.stringValue else {
                let error = TextSanitizer.cleanLine(token["error"]?.stringValue ?? "-", maxLength: 100)
                return page(app, status: .ok, html: Self.paragraph(Self.words("demoapp.refused", ["error": .text(error)])))
            }
            return page(app, status: .ok, html: try await vaccinations(cpr: cpr, token: access, base: nodeBase))
        } catch {
            logger.warning("Demo-appen \(app.clientID) kunne ikke hente: \(error)")
            return page(app, status: .badGateway, html: Self.paragraph(Self.words("demoapp.failed")))
        }
    }

    /// The patient's vaccinations at the national services, as the token allows: the patient by CPR number, then
    /// their `Immunization`s, newest first, as HTML.
    func vaccinations(cpr: String, token: String, base: String) async throws -> String {
        let escape = TextSanitizer.markupEscaped
        let identifier = QueryString.encodeComponent("\(DanishSystems.cpr)|\(cpr)")
        let found = try await get(base + "/sources/nsp/fhir/Patient?identifier=\(identifier)", token: token)
        guard let json = found.json?["entry"]?.listValue.first?["resource"],
            let patient = try? JSONValueDecoder.decode(Patient.self, from: json), let id = patient.id
        else { return Self.paragraph(Self.words("demoapp.refused", ["error": .text(found.outcome)])) }
        let read = try await get(
            base + "/sources/nsp/fhir/Immunization?patient=\(QueryString.encodeComponent(id))&_count=100", token: token)
        guard let bundle = read.json, bundle["resourceType"]?.stringValue == "Bundle" else {
            return Self.paragraph(Self.words("demoapp.refused", ["error": .text(read.outcome)]))
        }
        let given = (bundle["entry"]?.listValue ?? []).compactMap { $0["resource"] }
            .compactMap { try? JSONValueDecoder.decode(Immunization.self, from: $0) }
            .filter { $0.status != "entered-in-error" }
            .map { (date: $0.occurrenceDateTime?.text.prefix(10) ?? "", vaccine: $0.vaccineCode?.displayText ?? "-") }
            .sorted { $0.date > $1.date }
        let items = given.map {
            "<li>\(escape(String($0.date))) \(escape(TextSanitizer.cleanLine($0.vaccine, maxLength: 200)))</li>"
        }
        let name = TextSanitizer.cleanLine(patient.name?.first?.displayName ?? "-", maxLength: 200)
        return Self.paragraph(Self.words("demoapp.patient", ["name": .text(name), "cpr": .text(cpr)]))
            + "<ul>\(items.isEmpty ? "<li>\(escape(Self.words("demoapp.none")))</li>" : items.joined())</ul>"
            + Self.paragraph(Self.words("demoapp.logged"))
    }

    // MARK: - HTTP

    func post(_ url: String, _ form: [(String, String)]) async throws -> JSONValue {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let body = form.map { "\($0.0)=\(QueryString.encodeComponent($0.1))" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await http.execute(request, timeout: .seconds(10))
        return try JSONValue.parse(Data(try await response.body.collect(upTo: 1 << 20).readableBytesView))
    }

    /// The answer as JSON (nil when it is not), and in a few words what it was when it is not a success.
    func get(_ url: String, token: String) async throws -> (json: JSONValue?, outcome: String) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/fhir+json")
        let response = try await http.execute(request, timeout: .seconds(30))
        let json = try? JSONValue.parse(Data(try await response.body.collect(upTo: 16 << 20).readableBytesView))
        let why = json?["issue"]?.listValue.first?["diagnostics"]?.stringValue ?? "HTTP \(response.status.code)"
        return (response.status == .ok ? json : nil, TextSanitizer.cleanLine(why, maxLength: 300))
    }

    // MARK: - Pages

    static func paragraph(_ text: String) -> String { "<p>\(TextSanitizer.markupEscaped(text))</p>" }

    /// The app's page around `content` (HTML made here, every outside text escaped).
    func page(_ app: App, status: HTTPResponse.Status, html content: String) -> Response {
        let escape = TextSanitizer.markupEscaped
        let html = """
            <!doctype html><html lang="da"><head><meta charset="utf-8"><title>\(escape(app.name))</title>
            <meta name="viewport" content="width=device-width"></head>
            <body><h1>\(escape(app.name))</h1><p><small>\(escape(Self.words("demoapp.about")))</small></p>\(content)</body></html>
            """
        return Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                HTTPField.Name("Content-Security-Policy")!:
                    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
                HTTPField.Name("Referrer-Policy")!: "no-referrer",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func notFound() -> Response {
        Response(
            status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: "Not found\n")))
    }

    static func words(_ id: String, _ arguments: [String: Phrase.Argument] = [:]) -> String {
        Catalog.danish.text(id, arguments) + " / " + Catalog.english.text(id, arguments)
    }
}
