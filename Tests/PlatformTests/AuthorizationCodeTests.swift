import Crypto
import FHIR
import Foundation
import Platform
import Testing

@testable import AppCloud

/// The authorization code's own rules, with the clock in the test's hand: a minute, once, for its client, its
/// redirect URI and its verifier.
@Suite struct AuthorizationCodeTests {
    static let redirect = "http://127.0.0.1:9/callback"
    static let verifier = String(repeating: "a", count: 43)

    func registry() async throws -> AppRegistry {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("codes-\(UUID().uuidString).sqlite").path
        let storage = try SQLiteStorage(path: path)
        try await storage.migrate()
        let apps = AppRegistry(storage: storage)
        try await apps.register(
            AppRegistration(
                clientID: "app", name: "App", vendor: "V", kind: .webApp, redirectURIs: [Self.redirect],
                scopes: ["user/Immunization.rs"]))
        try await apps.setStatus("app", .approved)
        return apps
    }

    func code(
        _ authorization: Authorization, _ apps: AppRegistry, now: Date, redirect: String? = redirect
    ) async throws
        -> String
    {
        let challenge = Data(SHA256.hash(data: Data(Self.verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        var query: [(name: String, value: String)] = [
            ("response_type", "code"), ("client_id", "app"), ("scope", "user/Immunization.rs"), ("aud", "https://node"),
            ("code_challenge", challenge), ("code_challenge_method", "S256"),
        ]
        if let redirect { query.append(("redirect_uri", redirect)) }
        let (id, _) = try await authorization.begin(query, apps: apps, audiences: { $0 == "https://node" }, now: now)
        let location = try authorization.answer(
            id, identity: Identity(id: "gp", name: "GP", role: .gp), allow: true, patient: nil, now: now)
        return try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value)
    }

    func exchange(
        _ authorization: Authorization, _ code: String, now: Date, client: String = "app",
        redirect: String? = redirect, verifier: String = verifier
    ) -> String? {
        var form: [(name: String, value: String)] = [
            ("grant_type", "authorization_code"), ("code", code), ("client_id", client), ("code_verifier", verifier),
        ]
        if let redirect { form.append(("redirect_uri", redirect)) }
        do {
            _ = try authorization.exchange(form, now: now)
            return nil
        } catch {
            return error.error
        }
    }

    @Test func aCodeCountsOnceWithinItsMinuteForItsClientRedirectAndVerifier() async throws {
        let apps = try await registry()
        let authorization = Authorization()
        let now = Date()
        let late = try await code(authorization, apps, now: now)
        #expect(exchange(authorization, late, now: now + 61) == "invalid_grant", "after its minute")
        for (client, redirect, verifier) in [
            ("other-app", Self.redirect, Self.verifier), ("app", "http://127.0.0.1:9/other", Self.verifier),
            ("app", Self.redirect, String(repeating: "b", count: 43)),
        ] {
            let given = try await code(authorization, apps, now: now)
            #expect(
                exchange(authorization, given, now: now + 1, client: client, redirect: redirect, verifier: verifier)
                    == "invalid_grant", "\(client) \(redirect)")
        }
        let good = try await code(authorization, apps, now: now)
        #expect(exchange(authorization, good, now: now + 59) == nil)
        #expect(exchange(authorization, good, now: now + 59) == "invalid_grant", "a second time")
        // A request that named no redirect URI (the app has one): the exchange need not name it either.
        let bare = try await code(authorization, apps, now: now, redirect: nil)
        #expect(exchange(authorization, bare, now: now + 1, redirect: nil) == nil)
    }

    /// A JWKS is kept as the keys SMART can use; a modulus too large to check quickly, an `oct` key, another curve and
    /// a key without `kid` are left out, and a set with none left is refused.
    @Test func anAppsKeysAreOnlyTheOnesSMARTCanUse() throws {
        let huge = String(repeating: "A", count: 5000)
        #expect(throws: AppProblem.self) {
            try ClientKeys(jwks: #"{"keys":[{"kty":"RSA","kid":"big","n":"\#(huge)","e":"AQAB"}]}"#)
        }
        #expect(throws: AppProblem.self) {
            try ClientKeys(
                jwks: #"{"keys":[{"kty":"oct","kid":"s","k":"AAAA"},{"kty":"EC","crv":"P-256","kid":"p","x":"AA","y":"AA"}]}"#)
        }
        #expect(throws: AppProblem.self) { try ClientKeys(jwks: "not json") }
    }
}
