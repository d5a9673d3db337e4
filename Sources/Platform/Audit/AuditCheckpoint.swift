import Crypto
import FHIR
import Foundation
import Words

#if canImport(Glibc)
    import Glibc
#endif

/// A signed statement of the audit chain's head: "at `time`, entry `sequence` had hash `hash`", signed by one
/// node's own Ed25519 key. Kept where the database cannot rewrite it (an append-only file per node; copies of
/// `GET /AuditEvent/$checkpoint` answers anyone keeps), it makes a cut tail or a table rewritten with fresh hashes
/// visible to `sundhedscloud audit verify --checkpoints`.
///
/// One JSON object per line:
/// `{"checkpoint":"sundhedscloud-audit/1","node":"…","sequence":12,"hash":"…","time":"2026-12-02T21:00:00.123Z",
/// "key":"<base64 public key>","signature":"<base64>"}`. The signature covers the form tag, node, sequence, hash and
/// time exactly as written (joined by line feeds), so no re-encoding can change what was signed.
public struct AuditCheckpoint: Sendable, Equatable {
    public static let form = "sundhedscloud-audit/1"

    public var node: String
    public var sequence: Int64
    public var hash: String
    /// ISO 8601 with milliseconds, UTC, as signed.
    public var time: String
    /// The signer's Ed25519 public key, base64 of the 32 raw bytes.
    public var key: String
    /// Ed25519 signature over `signedBytes`, base64.
    public var signature: String

    public init(node: String, sequence: Int64, hash: String, time: String, key: String, signature: String) {
        self.node = node
        self.sequence = sequence
        self.hash = hash
        self.time = time
        self.key = key
        self.signature = signature
    }

    /// What the signature covers.
    public var signedBytes: Data {
        Data([Self.form, node, String(sequence), hash, time].joined(separator: "\n").utf8)
    }

    /// True when `signature` is the signature of `key` over this checkpoint.
    public var signatureHolds: Bool {
        guard let raw = Data(base64Encoded: key), let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: raw),
            let signature = Data(base64Encoded: signature)
        else { return false }
        return publicKey.isValidSignature(signature, for: signedBytes)
    }

    public var date: Date? { Self.instant(time) }

    /// An instant to the second or finer, with its offset ("2026-12-02T21:00:00.123Z").
    static func instant(_ text: String) -> Date? {
        guard let value = try? FHIRDateTime(text), value.precision >= .second, value.timeZoneOffset != nil else {
            return nil
        }
        return value.lowerBound
    }

    /// Signs the head `(sequence, hash)` now.
    public static func sign(
        sequence: Int64, hash: String, node: String, key: AuditSigningKey, at date: Date = Date()
    ) -> AuditCheckpoint {
        var checkpoint = AuditCheckpoint(
            node: node, sequence: sequence, hash: hash, time: Self.timeText(date), key: key.publicKeyText, signature: "")
        checkpoint.signature = key.sign(checkpoint.signedBytes).base64EncodedString()
        return checkpoint
    }

    static func timeText(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    public var json: JSONValue {
        .object([
            "checkpoint": .string(Self.form), "node": .string(node), "sequence": .number(Double(sequence)),
            "hash": .string(hash), "time": .string(time), "key": .string(key), "signature": .string(signature),
        ])
    }

    /// One line of a checkpoint file (without the line feed).
    public var line: String { json.serializedString() }

    /// Reads one checkpoint; throws what is wrong with it (the signature is not checked here).
    public init(json: JSONValue) throws(AuditCheckpointError) {
        guard json.objectValue != nil else { throw AuditCheckpointError(Phrase("audit-check.not-object")) }
        guard json["checkpoint"]?.stringValue == Self.form else {
            throw AuditCheckpointError(Phrase("audit-check.not-checkpoint", ["form": .text(Self.form)]))
        }
        func text(_ name: String, max: Int = 512) throws(AuditCheckpointError) -> String {
            guard let value = json[name]?.stringValue, !value.isEmpty, value.utf8.count <= max else {
                throw AuditCheckpointError(Phrase("audit-check.field-invalid", ["field": .text(name)]))
            }
            return value
        }
        guard let number = json["sequence"]?.numberValue, number >= 0, number <= 9_007_199_254_740_992,
            number.rounded() == number
        else { throw AuditCheckpointError(Phrase("audit-check.sequence-invalid")) }
        let hash = try text("hash")
        guard hash.count == 64, hash.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw AuditCheckpointError(Phrase("audit-check.hash-invalid"))
        }
        let time = try text("time", max: 40)
        guard Self.instant(time) != nil else { throw AuditCheckpointError(Phrase("audit-check.time-invalid")) }
        self.init(
            node: try text("node"), sequence: Int64(number), hash: hash, time: time, key: try text("key"),
            signature: try text("signature"))
    }

    /// The checkpoints of a file of JSON lines (blank lines skipped); a line that cannot be read is an error that
    /// names the line.
    public static func parseLines(_ data: Data) throws(AuditCheckpointError) -> [AuditCheckpoint] {
        var out: [AuditCheckpoint] = []
        for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
            if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let value: JSONValue
            do {
                value = try JSONValue.parse(Data(trimmed))
            } catch {
                throw AuditCheckpointError(Phrase("audit-check.line-not-json", ["line": .integer(index + 1)]))
            }
            do {
                out.append(try AuditCheckpoint(json: value))
            } catch {
                throw AuditCheckpointError(
                    Phrase("audit-check.in-line", ["line": .integer(index + 1), "error": .phrase(error.phrase)]))
            }
        }
        return out
    }
}

/// A checkpoint, a checkpoint file or a signing key that cannot be used (`audit-check.*` in `Assets/strings`);
/// `description` is it in Danish.
public struct AuditCheckpointError: Error, CustomStringConvertible, Sendable, Equatable, Phrased {
    public let phrase: Phrase
    public init(_ phrase: Phrase) { self.phrase = phrase }

    /// `{file}: {error}`: what is wrong, said of a file.
    init(file: String, _ problem: Phrase) {
        self.init(Phrase("audit-check.in-file", ["file": .text(file), "error": .phrase(problem)]))
    }

    public var description: String { Catalog.danish.text(phrase) }
}

/// A node's Ed25519 key for signing checkpoints, kept in a PEM file (PKCS #8, RFC 8410: what
/// `openssl genpkey -algorithm ed25519` writes and `openssl pkey -pubout` reads), readable only by its owner.
public struct AuditSigningKey: Sendable {
    let privateKey: Curve25519.Signing.PrivateKey

    public init() { privateKey = Curve25519.Signing.PrivateKey() }

    init(privateKey: Curve25519.Signing.PrivateKey) { self.privateKey = privateKey }

    /// The public key as checkpoints carry it (base64 of the 32 raw bytes).
    public var publicKeyText: String { privateKey.publicKey.rawRepresentation.base64EncodedString() }

    func sign(_ data: Data) -> Data {
        // Ed25519 signing fails only on an internal error of the library; a checkpoint without a signature is
        // then refused by every verifier, which is the safe side.
        (try? privateKey.signature(for: data)) ?? Data()
    }

    /// PKCS #8 PrivateKeyInfo for Ed25519 is this fixed prefix followed by the 32-byte seed (RFC 8410 §7).
    static let pkcs8Prefix: [UInt8] = [
        0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]

    public var pemRepresentation: String {
        let der = Data(Self.pkcs8Prefix) + privateKey.rawRepresentation
        let lines = der.base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN PRIVATE KEY-----\n\(lines)\n-----END PRIVATE KEY-----\n"
    }

    public init(pemRepresentation text: String) throws(AuditCheckpointError) {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let begin = lines.firstIndex(of: "-----BEGIN PRIVATE KEY-----"),
            let end = lines.firstIndex(of: "-----END PRIVATE KEY-----"), begin < end
        else { throw AuditCheckpointError(Phrase("audit-check.key-not-pem")) }
        guard let der = Data(base64Encoded: lines[(begin + 1)..<end].joined()) else {
            throw AuditCheckpointError(Phrase("audit-check.key-not-base64"))
        }
        guard der.count == Self.pkcs8Prefix.count + 32, der.prefix(Self.pkcs8Prefix.count).elementsEqual(Self.pkcs8Prefix),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32))
        else { throw AuditCheckpointError(Phrase("audit-check.key-not-ed25519")) }
        self.privateKey = key
    }

    /// The key in `path`; made (mode 0600) when the file does not exist yet. Every problem names the file. Two
    /// nodes starting at once with the same file end up with the same key: the file is written aside and linked
    /// into place, which only one of them can do.
    public static func loadOrCreate(path: String) throws(AuditCheckpointError) -> AuditSigningKey {
        let manager = FileManager.default
        if !manager.fileExists(atPath: path) { try create(path) }
        return try load(path)
    }

    static func create(_ path: String) throws(AuditCheckpointError) {
        let manager = FileManager.default
        let key = AuditSigningKey()
        let aside = path + ".\(UUID().uuidString).tmp"
        do {
            try manager.createDirectory(
                at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw AuditCheckpointError(
                file: path, Phrase("audit-check.folder-unmakeable", ["error": .text(error.localizedDescription)]))
        }
        guard
            manager.createFile(atPath: aside, contents: Data(key.pemRepresentation.utf8), attributes: [.posixPermissions: 0o600])
        else { throw AuditCheckpointError(file: path, Phrase("audit-check.key-unwritable")) }
        defer { unlink(aside) }
        // EEXIST: another process made it first; its key is the one.
        if link(aside, path) != 0, errno != EEXIST {
            throw AuditCheckpointError(
                file: path, Phrase("audit-check.key-unwritable-because", ["error": .text(String(cString: strerror(errno)))]))
        }
    }

    static func load(_ path: String) throws(AuditCheckpointError) -> AuditSigningKey {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw AuditCheckpointError(file: path, Phrase("audit-check.key-unreadable"))
        }
        do {
            return try AuditSigningKey(pemRepresentation: text)
        } catch {
            throw AuditCheckpointError(file: path, error.phrase)
        }
    }
}

/// Checks checkpoints against the chain they speak of.
public enum AuditCheckpointCheck {
    public struct Report: Sendable, Equatable {
        /// Checkpoints checked.
        public var count: Int
        /// The latest checkpoint's sequence.
        public var latest: Int64
        /// What does not hold, if anything (the first problem found; `audit-check.*`).
        public var problemPhrase: Phrase?

        /// The problem in Danish.
        public var problem: String? { problemPhrase.map { Catalog.danish.text($0) } }
    }

    /// - Parameters:
    ///   - chain: the whole chain, oldest first (already verified link by link).
    ///   - trustedKeys: the public keys (base64) a checkpoint may be signed with; nil: any key, the checkpoint's own.
    public static func verify(
        chain: [AuditEntry], checkpoints: [AuditCheckpoint], trustedKeys: Set<String>?
    ) -> Report {
        var report = Report(count: checkpoints.count, latest: checkpoints.map(\.sequence).max() ?? 0, problemPhrase: nil)
        let head = chain.last?.sequence ?? 0
        let bySequence = Dictionary(chain.map { ($0.sequence, $0.hash) }, uniquingKeysWith: { first, _ in first })
        for checkpoint in checkpoints {
            let which: [String: Phrase.Argument] = [
                "node": .text(checkpoint.node), "time": .text(checkpoint.time),
                "sequence": .integer(Int(checkpoint.sequence)),
            ]
            if let trustedKeys, !trustedKeys.contains(checkpoint.key) {
                report.problemPhrase = Phrase("audit-check.untrusted-key", which)
                return report
            }
            guard checkpoint.signatureHolds else {
                report.problemPhrase = Phrase("audit-check.signature-fails", which)
                return report
            }
        }
        // Cut tail: the chain ends before what a node once signed.
        if report.latest > head {
            report.problemPhrase = Phrase(
                "audit-check.cut-tail",
                [
                    "head": .integer(Int(head)), "latest": .integer(Int(report.latest)),
                    "removed": .integer(Int(report.latest - head)),
                ])
            return report
        }
        for checkpoint in checkpoints {
            let expected = checkpoint.sequence == 0 ? AuditEntry.genesis : bySequence[checkpoint.sequence]
            guard expected == checkpoint.hash else {
                report.problemPhrase = Phrase(
                    "audit-check.rewritten",
                    ["sequence": .integer(Int(checkpoint.sequence)), "time": .text(checkpoint.time)])
                return report
            }
        }
        return report
    }
}
