import AsyncHTTPClient
import FHIR
import Foundation
import Logging
import NIOCore
import Platform
import Synchronization
import Words

/// The token endpoint's work for SMART Backend Services (`grant_type=client_credentials` with a `private_key_jwt`
/// client assertion): the assertion checked against the app's own keys, its `jti` claimed once across every node,
/// the app usable and installed, the scopes within its registration; then an access token of at most five minutes
/// that acts for the installing organisation, in the role the installation gives it.
public struct TokenEndpoint: Sendable {
    let gateway: Gateway
    let keys: AppKeySource
    let logger: Logger
    /// The longest an app's access token lives (SMART: five minutes or less for backend services).
    public static let lifetime: TimeInterval = 300

    init(gateway: Gateway, keys: AppKeySource, logger: Logger) {
        self.gateway = gateway
        self.keys = keys
        self.logger = logger
    }

    public struct Issued: Sendable {
        public var token: String
        public var scope: String
        public var expiresIn: Int
    }

    /// The app a client assertion in `form` proves to be (RFC 7523 §2.2 with SMART's rules), of `kind`; its `jti`
    /// spent.
    func authenticate(
        _ form: [(name: String, value: String)], tokenURL: String, kind: AppRegistration.Kind, now: Date = Date()
    ) async throws(OAuthError) -> AppRegistration {
        func one(_ name: String) throws(OAuthError) -> String? { try form.oauthValue(name) }
        guard try one("client_assertion_type") == ClientAssertion.type else {
            throw OAuthError("invalid_client", Phrase("oauth.assertion-type"), status: 400)
        }
        guard let assertionText = try one("client_assertion"), !assertionText.isEmpty else {
            throw OAuthError("invalid_client", Phrase("oauth.assertion-missing"), status: 400)
        }
        let (peeked, _) = try ClientAssertion.peek(assertionText)
        if let given = try one("client_id"), given != peeked.clientID {
            throw OAuthError.invalidClient("oauth.assertion-issuer")
        }
        let app: AppRegistration?
        do {
            app = try await gateway.apps.app(peeked.clientID)
        } catch {
            throw OAuthError("temporarily_unavailable", Phrase("oauth.registry-unavailable"), status: 503)
        }
        guard let app, app.kind == kind else {
            throw OAuthError.invalidClient(
                "oauth.client-unknown", ["client": .text(TextSanitizer.cleanLine(peeked.clientID, maxLength: 64))])
        }
        if let jku = peeked.jku, jku != app.jwksURL {
            throw OAuthError.invalidClient("oauth.assertion-jku")
        }
        let clientKeys = try await keys.keys(of: app)
        let assertion = try await ClientAssertion.verify(assertionText, keys: clientKeys, audience: tokenURL, now: now)
        // Only now, with the signature known to be the app's, may the jti be spent.
        let fresh: Bool
        do {
            fresh = try await gateway.storage.claimAssertion(
                clientID: assertion.clientID, jti: assertion.jti, expires: assertion.expires)
        } catch {
            throw OAuthError("temporarily_unavailable", Phrase("oauth.registry-unavailable"), status: 503)
        }
        guard fresh else { throw OAuthError.invalidClient("oauth.assertion-replayed") }
        return app
    }

    /// The answer to a form-encoded token request from `tokenURL` (the absolute URL the assertion's `aud` names).
    func clientCredentials(
        _ form: [(name: String, value: String)], tokenURL: String, now: Date = Date()
    ) async throws(OAuthError) -> Issued {
        func one(_ name: String) throws(OAuthError) -> String? { try form.oauthValue(name) }
        let app = try await authenticate(form, tokenURL: tokenURL, kind: .backendService, now: now)
        guard app.isUsable(at: now) else {
            throw OAuthError("unauthorized_client", Phrase("oauth.app-not-usable", ["app": .text(app.name)]))
        }

        // Which organisation it acts for: its one installation, or the one `organization` names.
        let installations: [AppInstallation]
        do {
            installations = try await gateway.apps.installations(of: app.clientID)
        } catch {
            throw OAuthError("temporarily_unavailable", Phrase("oauth.registry-unavailable"), status: 503)
        }
        let chosen: AppInstallation
        if let organization = try one("organization") {
            guard let match = installations.first(where: { $0.organization.value == organization }) else {
                throw OAuthError("unauthorized_client", Phrase("oauth.not-installed-for", ["app": .text(app.name)]))
            }
            chosen = match
        } else {
            guard let only = installations.first else {
                throw OAuthError("unauthorized_client", Phrase("oauth.not-installed", ["app": .text(app.name)]))
            }
            guard installations.count == 1 else {
                throw OAuthError(
                    "invalid_request",
                    Phrase(
                        "oauth.organization-needed",
                        ["organizations": .text(installations.map(\.organization.value).joined(separator: ", "))]))
            }
            chosen = only
        }
        guard let role = chosen.role else {
            throw OAuthError("unauthorized_client", Phrase("oauth.not-installed", ["app": .text(app.name)]))
        }

        // The scopes: as asked (all within the registration), or the registration's when none are asked for.
        let granted: SMARTScopes
        if let asked = try one("scope"), !asked.trimmingCharacters(in: .whitespaces).isEmpty {
            let parsed: SMARTScopes
            do {
                parsed = try SMARTScopes(parsing: asked)
            } catch {
                throw OAuthError(
                    "invalid_scope",
                    Phrase("oauth.scope-unknown", ["scope": .text(TextSanitizer.cleanLine(error.scope, maxLength: 80))]))
            }
            let (within, refused) = app.grantable.grant(parsed)
            if let refused {
                throw OAuthError(
                    "invalid_scope",
                    Phrase("oauth.scope-not-registered", ["scope": .text(TextSanitizer.cleanLine(refused, maxLength: 80))]))
            }
            guard within.others.isEmpty, within.resources.allSatisfy({ $0.context == .system }) else {
                throw OAuthError("invalid_scope", Phrase("oauth.scope-system-only"))
            }
            granted = within
        } else {
            granted = SMARTScopes(resources: app.grantable.resources.filter { $0.context == .system })
        }
        guard !granted.resources.isEmpty else { throw OAuthError("invalid_scope", Phrase("oauth.scope-system-only")) }

        // It acts for the organisation: the log says "Lægehuset Herlev Bygade (praktiserende læge) via <app>".
        var identity = Identity(
            id: "app:\(app.clientID)", name: chosen.organization.name, title: app.name, role: role,
            organization: chosen.organization)
        identity.app = Identity.AppActor(
            clientID: app.clientID, name: app.name, kind: app.kind, scope: granted.description)
        do {
            let token = try await gateway.tokens.issue(identity, lifetime: Self.lifetime, now: now)
            logger.info(
                "Token udstedt til \(app.clientID) for \(chosen.organization.value) (\(role.rawValue)): \(granted.description)")
            return Issued(token: token, scope: granted.description, expiresIn: Int(Self.lifetime))
        } catch {
            throw OAuthError("server_error", Phrase("oauth.token-not-issued"), status: 500)
        }
    }
}

extension TokenEndpoint {
    /// `grant_type=authorization_code`: the code exchanged (see `Authorization.exchange`); a confidential app (one
    /// with keys) also proves itself with a client assertion. The token acts for the user who logged in, as the app,
    /// within the granted scopes and, for `patient/` ones, for the launch's patient.
    func authorizationCode(
        _ form: [(name: String, value: String)], tokenURL: String, authorization: Authorization, now: Date = Date()
    ) async throws(OAuthError) -> (Issued, patient: String?) {
        let code = try authorization.exchange(form, now: now)
        let app: AppRegistration?
        do {
            app = try await gateway.apps.app(code.app.clientID)
        } catch {
            throw OAuthError("temporarily_unavailable", Phrase("oauth.registry-unavailable"), status: 503)
        }
        guard let app, app.isUsable(at: now) else {
            throw OAuthError("unauthorized_client", Phrase("oauth.app-not-usable", ["app": .text(code.app.name)]))
        }
        if app.jwks != nil || app.jwksURL != nil {
            let proven = try await authenticate(form, tokenURL: tokenURL, kind: .webApp, now: now)
            guard proven.clientID == app.clientID else { throw OAuthError.invalidClient("oauth.assertion-issuer") }
        }
        var identity = code.identity
        identity.app = Identity.AppActor(
            clientID: app.clientID, name: app.name, kind: app.kind, scope: code.scope, patient: code.patient)
        do {
            let token = try await gateway.tokens.issue(identity, lifetime: Self.lifetime, now: now)
            logger.info("Token udstedt til \(app.clientID) for \(identity.id): \(code.scope)")
            return (Issued(token: token, scope: code.scope, expiresIn: Int(Self.lifetime)), code.patient)
        } catch {
            throw OAuthError("server_error", Phrase("oauth.token-not-issued"), status: 500)
        }
    }
}

/// Where an app's public keys come from: its registration (`jwks`), or its `jwks_uri` fetched over https (at most
/// 64 KiB, 5 s) and kept for five minutes.
final class AppKeySource: Sendable {
    let http: HTTPClient
    private let fetched = Mutex<[String: (ClientKeys, Date)]>([:])

    init(http: HTTPClient) { self.http = http }

    func keys(of app: AppRegistration) async throws(OAuthError) -> ClientKeys {
        if let text = app.jwks {
            do {
                return try ClientKeys(jwks: text)
            } catch {
                throw OAuthError.invalidClient("oauth.keys-unusable")
            }
        }
        guard let url = app.jwksURL else { throw OAuthError.invalidClient("oauth.keys-unusable") }
        if let (keys, at) = fetched.withLock({ $0[url] }), Date().timeIntervalSince(at) < 300 { return keys }
        do {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: "application/json")
            let response = try await http.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 64 << 10)
            guard response.status == .ok else { throw OAuthError.invalidClient("oauth.keys-unreachable") }
            let keys = try ClientKeys(jwks: String(buffer: body))
            fetched.withLock { all in
                if all.count > 1000 { all.removeAll() }
                all[url] = (keys, Date())
            }
            return keys
        } catch let error as OAuthError {
            throw error
        } catch {
            throw OAuthError.invalidClient("oauth.keys-unreachable")
        }
    }
}
