import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import Platform
import Words

// The app cloud: the authorization endpoint with the demo identity provider's login and consent page, and the EHR
// launch a client asks for.

extension SMARTService {
    /// Whether `aud` is this node (its base, or one of its sources' FHIR bases through the gateway).
    func isAudience(_ aud: String) -> Bool {
        let base = gateway.publicBase
        let trimmed = aud.hasSuffix("/") ? String(aud.dropLast()) : aud
        if trimmed == base { return true }
        return gateway.sources.contains { trimmed == "\(base)/sources/\($0.id)/fhir" }
    }

    /// `GET /auth/smart/authorize`: the request checked, then the login and consent page.
    func authorize(_ request: Request, _ context: PlatformRequestContext) async -> Response {
        do {
            try gateway.admit(user: nil, client: context.remoteAddress?.ipAddress)
        } catch {
            return Self.page(status: .tooManyRequests, title: Catalog.danish.text(error.phrase), body: "")
        }
        let query = QueryString.parse(request.uri.query)
        do {
            let (id, pending) = try await authorization.begin(query, apps: gateway.apps, audiences: isAudience)
            return Self.page(
                status: .ok, title: Self.words("oauth.page-title", ["app": .text(pending.app.name)]), body: loginForm(id, pending)
            )
        } catch {
            return refusal(error)
        }
    }

    /// `POST /auth/smart/authorize`: the user's answer on the page.
    func login(_ request: Request, _ context: PlatformRequestContext) async -> Response {
        do {
            try gateway.admit(user: nil, client: context.remoteAddress?.ipAddress)
        } catch {
            return Self.page(status: .tooManyRequests, title: Catalog.danish.text(error.phrase), body: "")
        }
        var request = request
        guard let body = try? await request.collectBody(upTo: 16 << 10) else {
            return Self.page(status: .badRequest, title: Self.words("oauth.page-expired"), body: "")
        }
        let form = QueryString.parse(String(buffer: body))
        let id = QueryString.first("request", in: form) ?? ""
        let allow = QueryString.first("decision", in: form) == "allow"
        // The demo identity provider's users; a node without one has no login here.
        let identity = QueryString.first("user", in: form).flatMap { gateway.users[$0] }
        if allow, identity == nil, authorization.pendingRequest(id) != nil {
            return Self.page(status: .badRequest, title: Self.words("oauth.page-no-user"), body: "")
        }
        do {
            let location = try authorization.answer(
                id, identity: identity, allow: allow, patient: QueryString.first("patient", in: form))
            return Self.redirect(location)
        } catch {
            return refusal(error)
        }
    }

    /// `POST /auth/smart/launch` (the user's token; `client_id` and `patient`, the CPR number, as a form): an EHR
    /// launch of an installed app for the open patient; answers the launch id and the URL to open.
    func launch(_ request: Request, _ context: PlatformRequestContext) async throws -> Response {
        let identity = try await gateway.authenticate(request.headers[.authorization])
        try gateway.admit(user: identity.id, client: context.remoteAddress?.ipAddress)
        guard identity.app == nil else { throw PlatformError(status: 403, code: "forbidden", Phrase("oauth.launch-by-app")) }
        var request = request
        let form = QueryString.parse(String(buffer: try await request.collectBody(upTo: 16 << 10)))
        guard let clientID = QueryString.first("client_id", in: form), let app = try await gateway.apps.app(clientID),
            app.kind == .webApp, app.isUsable()
        else { throw PlatformError.notFound(Phrase("oauth.launch-no-app")) }
        guard try await gateway.apps.installations(of: clientID).contains(where: { $0.covers(identity) }) else {
            throw PlatformError(
                status: 403, code: "forbidden",
                Phrase(
                    "denial.app-not-installed",
                    ["app": .text(app.name), "organization": .text(identity.organization?.name ?? "-")]))
        }
        guard let typed = QueryString.first("patient", in: form), let cpr = try? CPRNumber(typed) else {
            throw PlatformError.invalid(Phrase("oauth.patient-missing"))
        }
        let id = authorization.launch(for: identity, clientID: clientID, patient: cpr.value)
        var answer: JSONObject = ["launch": .string(id), "iss": .string(gateway.publicBase)]
        if let url = app.launchURL {
            answer["launch_url"] = .string(Authorization.redirect(url, ["launch": id, "iss": gateway.publicBase]))
        }
        return Self.json(.object(answer), status: .ok)
    }

    // MARK: - The page

    func loginForm(_ id: String, _ pending: Authorization.Pending) -> String {
        let escape = TextSanitizer.markupEscaped
        let users = gateway.users.values.sorted { $0.id < $1.id }.map { user in
            "<option value=\"\(escape(user.id))\">\(escape(user.name)) (\(escape(user.role.danish)))</option>"
        }.joined()
        let scopes = pending.scopes.description.split(separator: " ").map { "<li><code>\(escape(String($0)))</code></li>" }
            .joined()
        let needsPatient = pending.launch == nil && pending.scopes.resources.contains { $0.context == .patient }
        let patient =
            needsPatient
            ? "<p><label>\(escape(Self.words("oauth.page-patient"))) <input name=\"patient\" inputmode=\"numeric\"></label></p>"
            : ""
        let launch = pending.launch.map { "<p>\(escape(Self.words("oauth.page-launch", ["cpr": .text($0.patient)])))</p>" } ?? ""
        return """
            <p>\(escape(Self.words("oauth.page-asks", ["app": .text(pending.app.name), "vendor": .text(pending.app.vendor)])))</p>
            <p>\(escape(pending.app.description))</p>
            <ul>\(scopes)</ul>
            \(launch)
            <form method="post" action="\(Self.authorizePath)">
            <input type="hidden" name="request" value="\(escape(id))">
            <p><label>\(escape(Self.words("oauth.page-user"))) <select name="user">\(users)</select></label></p>
            \(patient)
            <p><button name="decision" value="allow">\(escape(Self.words("oauth.page-allow")))</button>
            <button name="decision" value="deny">\(escape(Self.words("oauth.page-deny")))</button></p>
            </form>
            """
    }

    static func words(_ id: String, _ arguments: [String: Phrase.Argument] = [:]) -> String {
        Catalog.danish.text(id, arguments) + " / " + Catalog.english.text(id, arguments)
    }

    static func page(status: HTTPResponse.Status, title: String, body: String) -> Response {
        let html = """
            <!doctype html><html lang="da"><head><meta charset="utf-8"><title>\(TextSanitizer.markupEscaped(title))</title>
            <meta name="viewport" content="width=device-width"></head>
            <body><h1>\(TextSanitizer.markupEscaped(title))</h1>\(body)</body></html>
            """
        return Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                HTTPField.Name("Content-Security-Policy")!:
                    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
                HTTPField.Name("X-Frame-Options")!: "DENY", HTTPField.Name("Referrer-Policy")!: "no-referrer",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    func refusal(_ error: Authorization.Refusal) -> Response {
        switch error {
        case .page(let phrase):
            logger.warning("Godkendelse afvist: \(Catalog.danish.text(phrase))")
            return Self.page(status: .badRequest, title: Self.words(phrase.id, phrase.arguments), body: "")
        case .redirect(let location, let oauth):
            logger.warning("Godkendelse afvist: \(oauth.error): \(Catalog.danish.text(oauth.phrase))")
            return Self.redirect(location)
        }
    }
}
