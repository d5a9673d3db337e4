import Crypto
import Foundation
import Platform

/// One token authority for every input (made once; HS256 with a fixed demo secret), and tokens signed with its key.
final class JWTFixture: Sendable {
    static let secret = "fuzz-secret-0123456789abcdef-0123456789"
    static let shared = JWTFixture()

    let authority: TokenAuthority

    private init() {
        let made = Blocking.run { () -> TokenAuthority? in try? await TokenAuthority.sharedSecret(JWTFixture.secret) }
        guard let made else { fatalError("the fuzz token authority could not be made") }
        authority = made
    }

    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A token with `payload` as its claims, signed with the authority's key, so the claims themselves are read.
    static func signed(payload: some Sequence<UInt8>) -> String {
        let signingInput = base64URL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)) + "." + base64URL(payload)
        let mac = HMAC<SHA256>.authenticationCode(
            for: Array(signingInput.utf8), using: SymmetricKey(data: Array(secret.utf8)))
        return signingInput + "." + base64URL(Array(mac))
    }
}
