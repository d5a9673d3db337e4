import Crypto
import FHIR
import Foundation
import Transport
import Words

/// What proves that a notification comes from the source it names: a bearer secret per source, of which the
/// platform keeps only the SHA-256 (the registry's `notify_secret_sha256`; the demo makes a fresh secret per source
/// at each start). `POST /notify/{source}` without a secret is 401, with another source's secret 403. A third-party
/// FHIR server sends it as the Backport IG's `channel.header` (`Authorization: Bearer ...`).
public struct NotifyCredentials: Sendable {
    /// Source id → SHA-256 of its secret.
    let hashes: [String: [UInt8]]

    /// - Parameter hashes: source id → the hex SHA-256 of its secret (`NotifyCredentials.hash(of:)`).
    public init(hashes: [String: String]) {
        var decoded: [String: [UInt8]] = [:]
        for (id, hex) in hashes {
            if let bytes = Self.bytes(hex: hex), bytes.count == SHA256.byteCount { decoded[id] = bytes }
        }
        self.hashes = decoded
    }

    /// From the secrets themselves (the embedded demo, tests): only their hashes are kept.
    public init(secrets: [String: String]) {
        self.init(hashes: secrets.mapValues(Self.hash(of:)))
    }

    /// No source may notify (a node without sources, or one that only reads).
    public static let none = NotifyCredentials(hashes: [:])

    /// A new random secret, for a source to send.
    public static func makeSecret() -> String { RandomSecret.make() }

    /// The hex SHA-256 of a secret, as the registry keeps it.
    public static func hash(of secret: String) -> String {
        Array(SHA256.hash(data: Data(secret.utf8))).hexString
    }

    /// Whether `source` has a secret registered.
    public func knows(_ source: String) -> Bool { hashes[source] != nil }

    /// Checks the `Authorization` header of a notification in the name of `source`.
    public func check(source: String, authorization: String?) throws(GatewayDenial) {
        guard let authorization, authorization.count <= 4096, authorization.lowercased().hasPrefix("bearer ") else {
            throw GatewayDenial.unauthenticated(Phrase("denial.notify-no-proof"))
        }
        let secret = authorization.dropFirst(7).trimmingCharacters(in: .whitespaces)
        let presented = Array(SHA256.hash(data: Data(secret.utf8)))
        if let expected = hashes[source], Self.equal(expected, presented) { return }
        if hashes.contains(where: { $0.key != source && Self.equal($0.value, presented) }) {
            throw GatewayDenial.forbidden(
                "wrong-source", Phrase("denial.notify-wrong-source", ["source": .text(String(source.prefix(64)))]))
        }
        throw GatewayDenial.unauthenticated(
            Phrase(
                hashes[source] == nil ? "denial.notify-no-secret" : "denial.notify-wrong-secret",
                ["source": .text(String(source.prefix(64)))]))
    }

    /// Compares two digests in time independent of where they differ.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
