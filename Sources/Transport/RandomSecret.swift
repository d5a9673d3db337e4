import Crypto
import Foundation

/// A new random secret: 256 bits from the system's generator, base64url without padding (a source's notification
/// secret; `sundhedscloud source-secret`).
public enum RandomSecret {
    public static func make() -> String {
        base64URL(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
    }

    /// Base64url without padding (RFC 4648 §5), as JWTs, PKCE and OAuth values are written.
    public static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
