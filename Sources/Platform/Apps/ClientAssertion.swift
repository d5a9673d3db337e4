import FHIR
import Foundation
import JWTKit
import Words

/// An OAuth 2.0 error answer (RFC 6749 §5.2): the code a client library acts on, and the reason in words.
public struct OAuthError: Error, Sendable, Equatable, Phrased {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`, `unsupported_grant_type`,
    /// `invalid_scope`, `access_denied`.
    public var error: String
    public var phrase: Phrase
    public var status: Int

    public init(_ error: String, _ phrase: Phrase, status: Int? = nil) {
        self.error = error
        self.phrase = phrase
        self.status = status ?? (error == "invalid_client" ? 401 : 400)
    }

    public static func invalidClient(_ id: String, _ arguments: [String: Phrase.Argument] = [:]) -> OAuthError {
        // SMART's tests (Inferno) and most libraries expect 400 for a refused assertion (no Basic auth to challenge).
        OAuthError("invalid_client", Phrase(id, arguments), status: 400)
    }
}

/// A SMART Backend Services client assertion (RFC 7523, SMART "client-confidential-asymmetric"): a JWT the client
/// signs with its private key, `iss` and `sub` its client id, `aud` the token endpoint, `exp` at most five
/// minutes ahead, a `jti` never used before.
public struct ClientAssertion: Sendable, Equatable {
    public static let type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    public static let algorithms = ["RS384", "ES384"]
    /// The longest `exp` may be ahead of now.
    public static let maxLifetime: TimeInterval = 300

    public var clientID: String
    public var jti: String
    public var expires: Date
    /// `kid` and `jku` of the header, for finding the keys.
    public var kid: String
    public var jku: String?

    struct Claims: JWTPayload {
        var iss: IssuerClaim
        var sub: SubjectClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var jti: IDClaim
        var iat: IssuedAtClaim?
        var nbf: NotBeforeClaim?

        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// A client's side: an assertion for `client` at the token endpoint `audience`, signed with its ES384 key `kid`
    /// (the demo's own backend app and the benchmark sign with it; a vendor uses its own library).
    public static func sign(
        client: String, audience: String, key: ES384PrivateKey, kid: String, lifetime: TimeInterval = 240,
        jti: String = UUID().uuidString, now: Date = Date()
    ) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        return try await keys.sign(
            Claims(
                iss: .init(value: client), sub: .init(value: client), aud: .init(value: [audience]),
                exp: .init(value: now.addingTimeInterval(lifetime)), jti: .init(value: jti), iat: .init(value: now),
                nbf: nil),
            kid: JWKIdentifier(string: kid))
    }

    /// What the assertion says before its signature is checked: enough to find the client and its keys. Anything
    /// that is not a well-formed assertion for RS384 or ES384 is `invalid_client`.
    public static func peek(_ token: String) throws(OAuthError) -> (ClientAssertion, alg: String) {
        guard token.utf8.count <= 16 << 10, token.split(separator: ".", omittingEmptySubsequences: false).count == 3 else {
            throw .invalidClient("oauth.assertion-malformed")
        }
        let header: JWTHeader
        let claims: Claims
        do {
            (header, claims, _) = try DefaultJWTParser().parse(Array(token.utf8), as: Claims.self)
        } catch {
            throw .invalidClient("oauth.assertion-malformed")
        }
        guard let alg = header.alg, algorithms.contains(alg) else {
            throw .invalidClient(
                "oauth.assertion-algorithm", ["alg": .text(TextSanitizer.cleanLine(header.alg ?? "-", maxLength: 20))])
        }
        if let typ = header.typ, typ.uppercased() != "JWT" { throw .invalidClient("oauth.assertion-malformed") }
        guard let kid = header.kid, !kid.isEmpty else { throw .invalidClient("oauth.assertion-no-kid") }
        guard claims.iss.value == claims.sub.value, AppRegistration.isClientID(claims.iss.value) else {
            throw .invalidClient("oauth.assertion-issuer")
        }
        let jti = claims.jti.value
        guard !jti.isEmpty, jti.utf8.count <= 255 else { throw .invalidClient("oauth.assertion-no-jti") }
        return (
            ClientAssertion(clientID: claims.iss.value, jti: jti, expires: claims.exp.value, kid: kid, jku: header.jku),
            alg
        )
    }

    /// The assertion, its signature checked with the app's own key, for the token endpoint at `audience`.
    public static func verify(
        _ token: String, keys: ClientKeys, audience: String, now: Date = Date()
    ) async throws(OAuthError) -> ClientAssertion {
        let (assertion, alg) = try peek(token)
        guard let collection = await keys.collection(kid: assertion.kid, alg: alg) else {
            throw .invalidClient(
                "oauth.assertion-unknown-key", ["kid": .text(TextSanitizer.cleanLine(assertion.kid, maxLength: 80))])
        }
        let claims: Claims
        do {
            claims = try await collection.verify(token, as: Claims.self)
        } catch {
            throw .invalidClient("oauth.assertion-signature")
        }
        guard claims.aud.value.contains(audience) else {
            throw .invalidClient("oauth.assertion-audience", ["audience": .text(audience)])
        }
        // A little leeway for clocks; none for a lifetime past five minutes.
        guard claims.exp.value > now.addingTimeInterval(-5) else { throw .invalidClient("oauth.assertion-expired") }
        guard claims.exp.value <= now.addingTimeInterval(maxLifetime + 5) else {
            throw .invalidClient("oauth.assertion-too-long")
        }
        if let nbf = claims.nbf?.value, nbf > now.addingTimeInterval(5) { throw .invalidClient("oauth.assertion-not-yet") }
        return assertion
    }
}
