import Crypto
import Foundation

/// A new random secret: 256 bits from the system's generator, base64url without padding (a source's notification
/// secret; `sundhedscloud source-secret`).
public enum RandomSecret {
    public static func make() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
