import FHIR
import Foundation
import JWTKit
import Words

/// An app's public keys (its JWKS), kept as what SMART's asymmetric client authentication can use: RSA keys (for
/// RS384) and P-384 EC keys (for ES384), each with a `kid`. Anything else in the set (other curves, `oct` keys,
/// encryption keys, other algorithms) is left out rather than refusing the whole set.
///
/// A key is never handed to jwt-kit as a JWK: jwt-kit fixes a JWK without `alg` to whatever algorithm the first
/// token names, and checks a token whose `kid` it does not know against its default key. Here the one key a token
/// names is looked up by `kid` and key type, and added to a collection of its own with its algorithm pinned.
public struct ClientKeys: Sendable, Equatable {
    public enum Key: Sendable, Equatable {
        case rsa(kid: String, modulus: String, exponent: String)
        case ec384(kid: String, x: String, y: String)

        var kid: String {
            switch self {
            case .rsa(let kid, _, _), .ec384(let kid, _, _): kid
            }
        }
    }

    public let keys: [Key]

    public init(jwks text: String) throws(AppProblem) {
        guard text.utf8.count <= 64 << 10, let json = try? JSONValue.parse(Data(text.utf8)),
            let list = json["keys"]?.listValue
        else { throw AppProblem(Phrase("appcloud.jwks-not-a-set")) }
        var keys: [Key] = []
        for key in list.prefix(50) {
            guard let kid = key["kid"]?.stringValue, !kid.isEmpty, kid.utf8.count <= 200 else { continue }
            if let use = key["use"]?.stringValue, use != "sig" { continue }
            let alg = key["alg"]?.stringValue
            switch key["kty"]?.stringValue {
            case "RSA":
                // 2048 to 4096 bits (a larger modulus would make every check slow), a short exponent.
                guard alg == nil || alg == "RS384", let n = key["n"]?.stringValue, let e = key["e"]?.stringValue,
                    (342...683).contains(n.utf8.count), e.utf8.count <= 8,
                    (try? Insecure.RSA.PublicKey(modulus: n, exponent: e)) != nil
                else { continue }
                keys.append(.rsa(kid: kid, modulus: n, exponent: e))
            case "EC":
                guard alg == nil || alg == "ES384", key["crv"]?.stringValue == "P-384", let x = key["x"]?.stringValue,
                    let y = key["y"]?.stringValue, (try? ES384PublicKey(parameters: (x, y))) != nil
                else { continue }
                keys.append(.ec384(kid: kid, x: x, y: y))
            default:
                continue
            }
        }
        guard !keys.isEmpty else { throw AppProblem(Phrase("appcloud.jwks-no-usable-key")) }
        self.keys = keys
    }

    /// A collection holding only the key `kid` names for `alg` (RS384 or ES384), with that algorithm; nil when
    /// there is not exactly one.
    func collection(kid: String, alg: String) async -> JWTKeyCollection? {
        let matching = keys.filter { key in
            guard key.kid == kid else { return false }
            switch key {
            case .rsa: return alg == "RS384"
            case .ec384: return alg == "ES384"
            }
        }
        guard matching.count == 1, let key = matching.first else { return nil }
        let collection = JWTKeyCollection()
        switch key {
        case .rsa(_, let n, let e):
            guard let public_ = try? Insecure.RSA.PublicKey(modulus: n, exponent: e) else { return nil }
            await collection.add(rsa: public_, digestAlgorithm: .sha384, kid: JWKIdentifier(string: kid))
        case .ec384(_, let x, let y):
            guard let public_ = try? ES384PublicKey(parameters: (x, y)) else { return nil }
            await collection.add(ecdsa: public_, kid: JWKIdentifier(string: kid))
        }
        return collection
    }
}
