import Crypto
import FHIR
import Foundation
import Platform
import Synchronization
import Transport
import Words

/// SMART App Launch's authorization code flow with PKCE (S256 only), for user-facing apps: the authorization
/// request checked (client, redirect URI, `aud`, PKCE, scopes), the user's login and consent (the demo identity
/// provider's page), a code that lives one minute and counts once, and the exchange of code and verifier for a
/// token that acts for the user, within the app's scopes and, for `patient/` scopes, for the launch's patient.
///
/// EHR launch: the client (the TUI) asks for a launch for the open patient (`launch(for:patient:)`), opens the app's
/// launch URL with `launch` and `iss`, and the app sends `launch` back in its authorization request. Standalone launch
/// (`launch/patient`): a citizen's patient is the citizen.
final class Authorization: Sendable {
    /// A request that passed the checks and waits for the user's answer on the login page.
    struct Pending: Sendable {
        var app: AppRegistration
        var redirectURI: String
        /// Whether the request named it (then the token request must name it too, RFC 6749 §4.1.3).
        var redirectGiven = true
        var state: String?
        var challenge: String
        var scopes: SMARTScopes
        var launch: Launch?
        var expires: Date
    }

    /// An EHR launch: who launched which app for which patient.
    struct Launch: Sendable {
        var userID: String
        var clientID: String
        var patient: String
        var expires: Date
    }

    struct Code: Sendable {
        var app: AppRegistration
        var redirectURI: String
        var redirectGiven = true
        var challenge: String
        var identity: Identity
        var scope: String
        var patient: String?
        var expires: Date
        var used = false
    }

    private let pending = Mutex<[String: Pending]>([:])
    private let launches = Mutex<[String: Launch]>([:])
    private let codes = Mutex<[String: Code]>([:])

    static let codeLifetime: TimeInterval = 60
    static let pageLifetime: TimeInterval = 600
    static let launchLifetime: TimeInterval = 300

    static func random() -> String { RandomSecret.make() }

    /// Keeps at most 10,000 of each, dropping what has expired first.
    private static func put<T: Sendable>(_ value: T, _ key: String, in table: borrowing Mutex<[String: T]>, expires: (T) -> Date)
    {
        table.withLock { all in
            if all.count > 10_000 { all = all.filter { expires($0.value) > Date() } }
            if all.count > 10_000 { all.removeAll() }
            all[key] = value
        }
    }

    // MARK: - EHR launch

    func launch(for identity: Identity, clientID: String, patient: String, now: Date = Date()) -> String {
        let id = Self.random()
        Self.put(
            Launch(userID: identity.id, clientID: clientID, patient: patient, expires: now + Self.launchLifetime), id,
            in: launches, expires: \.expires)
        return id
    }

    // MARK: - The authorization request

    /// Where a refusal goes: to the app (a redirect with `error`) once its redirect URI is known to be its own, or
    /// to the user as a page when it is not (RFC 6749 §4.1.2.1: never redirect to an unverified URI).
    enum Refusal: Error {
        case page(Phrase)
        case redirect(String, OAuthError)
    }

    /// The authorization request's parameters, checked; the pending request's id for the login page.
    func begin(
        _ query: [(name: String, value: String)], apps: AppRegistry, audiences: (String) -> Bool, now: Date = Date()
    ) async throws(Refusal) -> (String, Pending) {
        // A repeated parameter counts as absent (and is refused as such).
        func one(_ name: String) -> String? { (try? query.oauthValue(name)) ?? nil }
        guard let clientID = one("client_id") else { throw .page(Phrase("oauth.page-no-client")) }
        let found: AppRegistration?
        do {
            found = try await apps.app(clientID)
        } catch {
            throw .page(Phrase("oauth.registry-unavailable"))
        }
        guard let app = found, app.kind == .webApp else {
            throw .page(Phrase("oauth.page-unknown-client", ["client": .text(TextSanitizer.cleanLine(clientID, maxLength: 64))]))
        }
        guard let redirect = one("redirect_uri") ?? (app.redirectURIs.count == 1 ? app.redirectURIs.first : nil),
            app.redirectURIs.contains(redirect)
        else { throw .page(Phrase("oauth.page-redirect", ["app": .text(app.name)])) }
        let state = one("state")
        func refuse(_ error: String, _ id: String, _ arguments: [String: Phrase.Argument] = [:]) -> Refusal {
            .redirect(Self.redirect(redirect, ["error": error, "state": state]), OAuthError(error, Phrase(id, arguments)))
        }
        guard one("response_type") == "code" else { throw refuse("unsupported_response_type", "oauth.response-type") }
        guard app.isUsable(at: now) else { throw refuse("unauthorized_client", "oauth.app-not-usable", ["app": .text(app.name)]) }
        guard let aud = one("aud"), audiences(aud) else { throw refuse("invalid_request", "oauth.audience") }
        guard let challenge = one("code_challenge"), (43...128).contains(challenge.count) else {
            throw refuse("invalid_request", "oauth.pkce-missing")
        }
        guard one("code_challenge_method") == "S256" else { throw refuse("invalid_request", "oauth.pkce-method") }
        let asked: SMARTScopes
        do {
            asked = try SMARTScopes(parsing: one("scope") ?? "")
        } catch {
            throw refuse(
                "invalid_scope", "oauth.scope-unknown", ["scope": .text(TextSanitizer.cleanLine(error.scope, maxLength: 80))])
        }
        // What SMART lets a server leave out (OpenID, refresh tokens) is left out; the rest must be registered.
        let wanted = SMARTScopes(
            resources: asked.resources, others: asked.others.filter { ["launch", "launch/patient"].contains($0) })
        let (granted, refused) = app.grantable.grant(wanted)
        if let refused {
            throw refuse(
                "invalid_scope", "oauth.scope-not-registered", ["scope": .text(TextSanitizer.cleanLine(refused, maxLength: 80))])
        }
        guard granted.resources.allSatisfy({ $0.context != .system }), !granted.resources.isEmpty else {
            throw refuse("invalid_scope", "oauth.scope-user-app")
        }
        var launch: Launch?
        if let id = one("launch") {
            guard let found = launches.withLock({ $0.removeValue(forKey: id) }), found.expires > now, found.clientID == clientID
            else { throw refuse("invalid_request", "oauth.launch-unknown") }
            launch = found
        }
        let request = Pending(
            app: app, redirectURI: redirect, redirectGiven: one("redirect_uri") != nil, state: state, challenge: challenge,
            scopes: granted, launch: launch, expires: now + Self.pageLifetime)
        let id = Self.random()
        Self.put(request, id, in: pending, expires: \.expires)
        return (id, request)
    }

    func pendingRequest(_ id: String) -> Pending? {
        pending.withLock { $0[id] }.flatMap { $0.expires > Date() ? $0 : nil }
    }

    /// The user's answer on the page: a redirect to the app with a code, or with `access_denied`.
    func answer(
        _ id: String, identity: Identity?, allow: Bool, patient typed: String?, now: Date = Date()
    ) throws(Refusal)
        -> String
    {
        guard let request = pending.withLock({ $0.removeValue(forKey: id) }), request.expires > now else {
            throw .page(Phrase("oauth.page-expired"))
        }
        func refuse(_ error: String, _ phrase: String) -> Refusal {
            .redirect(
                Self.redirect(request.redirectURI, ["error": error, "state": request.state]), OAuthError(error, Phrase(phrase)))
        }
        guard allow, let identity else { throw refuse("access_denied", "oauth.denied") }
        // The patient of `patient/` scopes: the EHR launch's (launched by this user), a citizen's own, or the one a
        // clinician named for a standalone launch.
        var patient: String?
        if let launch = request.launch {
            guard launch.userID == identity.id else { throw refuse("access_denied", "oauth.launch-other-user") }
            patient = launch.patient
        } else if identity.role == .citizen {
            patient = identity.cpr
        } else if let typed, let cpr = try? CPRNumber(typed) {
            patient = cpr.value
        }
        let needsPatient = request.scopes.resources.contains { $0.context == .patient }
        if needsPatient, patient == nil { throw refuse("invalid_request", "oauth.patient-missing") }
        let code = Self.random()
        Self.put(
            Code(
                app: request.app, redirectURI: request.redirectURI, redirectGiven: request.redirectGiven,
                challenge: request.challenge, identity: identity, scope: request.scopes.description, patient: patient,
                expires: now + Self.codeLifetime),
            code, in: codes, expires: \.expires)
        return Self.redirect(request.redirectURI, ["code": code, "state": request.state])
    }

    // MARK: - The token request

    /// `grant_type=authorization_code`: the code once, within its minute, for the client and redirect URI it was
    /// given to, with the verifier whose S256 is the challenge.
    func exchange(_ form: [(name: String, value: String)], now: Date = Date()) throws(OAuthError) -> Code {
        // A repeated parameter counts as absent (and is refused as such).
        func one(_ name: String) -> String? { (try? form.oauthValue(name)) ?? nil }
        guard let code = one("code") else { throw OAuthError("invalid_request", Phrase("oauth.code-missing")) }
        // Taken out under the lock and marked used: a second use finds it used.
        let found: Code? = codes.withLock { all in
            guard var entry = all[code] else { return nil }
            let first = entry
            entry.used = true
            all[code] = entry
            return first
        }
        guard let found, !found.used else { throw OAuthError("invalid_grant", Phrase("oauth.code-used")) }
        guard found.expires > now else { throw OAuthError("invalid_grant", Phrase("oauth.code-expired")) }
        guard one("client_id") == found.app.clientID else { throw OAuthError("invalid_grant", Phrase("oauth.code-client")) }
        guard one("redirect_uri") == found.redirectURI || (!found.redirectGiven && one("redirect_uri") == nil) else {
            throw OAuthError("invalid_grant", Phrase("oauth.code-redirect"))
        }
        guard let verifier = one("code_verifier"), (43...128).contains(verifier.count) else {
            throw OAuthError("invalid_request", Phrase("oauth.verifier-missing"))
        }
        let digest = RandomSecret.base64URL(Data(SHA256.hash(data: Data(verifier.utf8))))
        guard digest == found.challenge else { throw OAuthError("invalid_grant", Phrase("oauth.verifier-wrong")) }
        return found
    }

    /// `uri` with `parameters` added to its query (nil values left out).
    static func redirect(_ uri: String, _ parameters: [String: String?]) -> String {
        var components = URLComponents(string: uri) ?? URLComponents()
        var items = components.queryItems ?? []
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) {
            if let value { items.append(URLQueryItem(name: name, value: value)) }
        }
        components.queryItems = items
        // `+` means a space to many servers' form decoding: encode it.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        return components.string ?? uri
    }
}
