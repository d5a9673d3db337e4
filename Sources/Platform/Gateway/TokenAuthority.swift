import FHIR
import Foundation
import JWTKit
import Synchronization
import Words

/// Issues (demo) and verifies access tokens: signature, expiry, issuer and audience. Keys come from configuration:
/// a shared secret (HS256, the demo) or a JWKS file (verification only).
public final class TokenAuthority: Sendable {
    public let issuer: String
    public let audience: String
    public let canIssue: Bool
    private let keys: JWTKeyCollection
    /// Tokens already verified, until they expire: a client sends the same token with every request.
    private let verified = Mutex<[String: (Identity, Date)]>([:])

    private init(issuer: String, audience: String, keys: JWTKeyCollection, canIssue: Bool) {
        self.issuer = issuer
        self.audience = audience
        self.keys = keys
        self.canIssue = canIssue
    }

    public static let defaultIssuer = "https://sundhedscloud.dk/demo-idp"
    public static let defaultAudience = "sundhedscloud-gateway"

    /// HS256 with a shared secret (at least 32 characters).
    public static func sharedSecret(
        _ secret: String, issuer: String = defaultIssuer, audience: String = defaultAudience
    ) async throws -> TokenAuthority {
        guard secret.utf8.count >= 32 else {
            throw PlatformStorageError(Phrase("storage.token-secret-short", ["length": .integer(secret.utf8.count)]))
        }
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return TokenAuthority(issuer: issuer, audience: audience, keys: keys, canIssue: true)
    }

    /// A random secret for one run of the embedded demo.
    public static func ephemeral() async throws -> TokenAuthority {
        var bytes = [UInt8](repeating: 0, count: 32)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        return try await sharedSecret(bytes.hexString)
    }

    /// Public keys from a JWKS file; tokens are issued elsewhere.
    public static func jwks(file: String, issuer: String, audience: String) async throws -> TokenAuthority {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw PlatformStorageError(
                Phrase("storage.jwks-unreadable", ["file": .text(file), "error": .text(error.localizedDescription)]))
        }
        let keys = JWTKeyCollection()
        do {
            try await keys.add(jwksJSON: text)
        } catch {
            throw PlatformStorageError(Phrase("storage.jwks-invalid", ["file": .text(file), "error": .text("\(error)")]))
        }
        return TokenAuthority(issuer: issuer, audience: audience, keys: keys, canIssue: false)
    }

    /// A signed token for `identity`, valid for `lifetime`.
    public func issue(_ identity: Identity, lifetime: TimeInterval = 900, now: Date = Date()) async throws -> String {
        let claims = AccessClaims(
            sub: .init(value: identity.id), iss: .init(value: issuer), aud: .init(value: [audience]),
            exp: .init(value: now.addingTimeInterval(lifetime)), iat: .init(value: now), name: identity.name,
            title: identity.title, role: identity.role.rawValue, organization: identity.organization,
            municipality: identity.municipality, cpr: identity.cpr, client_id: identity.app?.clientID,
            app_name: identity.app?.name, app_kind: identity.app?.kind.rawValue, scope: identity.app?.scope,
            patient: identity.app?.patient)
        return try await keys.sign(claims)
    }

    /// When a token that verifies expires; nil for one that does not verify.
    public func expiry(of token: String) async -> Date? {
        guard (try? await verify(token)) != nil else { return nil }
        return verified.withLock { $0[token]?.1 }
    }

    /// The identity in a verified token; a denial (401) saying what is wrong otherwise.
    public func verify(_ token: String) async throws(GatewayDenial) -> Identity {
        if let (identity, expires) = verified.withLock({ $0[token] }) {
            if expires > Date() { return identity }
            throw .unauthenticated(Phrase("denial.token-expired"))
        }
        let claims: AccessClaims
        do {
            claims = try await keys.verify(token, as: AccessClaims.self)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw .unauthenticated(Phrase("denial.token-expired"))
        } catch {
            throw .unauthenticated(Phrase("denial.token-invalid"))
        }
        guard claims.iss.value == issuer else {
            throw .unauthenticated(Phrase("denial.token-issuer"))
        }
        guard claims.aud.value.contains(audience) else {
            throw .unauthenticated(Phrase("denial.token-audience"))
        }
        guard let role = Identity.Role(rawValue: claims.role) else {
            throw .unauthenticated(Phrase("denial.token-role"))
        }
        var identity = Identity(
            id: claims.sub.value, name: claims.name, title: claims.title, role: role, organization: claims.organization,
            municipality: claims.municipality, cpr: claims.cpr)
        if let clientID = claims.client_id {
            guard let kind = claims.app_kind.flatMap(AppRegistration.Kind.init(rawValue:)), let scope = claims.scope else {
                throw .unauthenticated(Phrase("denial.token-invalid"))
            }
            identity.app = Identity.AppActor(
                clientID: clientID, name: claims.app_name ?? clientID, kind: kind, scope: scope, patient: claims.patient)
        }
        verified.withLock { all in
            if all.count > 10_000 { all = all.filter { $0.value.1 > Date() } }
            if all.count > 10_000 { all.removeAll() }
            all[token] = (identity, claims.exp.value)
        }
        return identity
    }
}
