import Crypto
import FHIR
import Foundation

/// A project's pseudonym key: 256 random bits that only the platform holds (in its key file, never in the analysis
/// store), so a pseudonym cannot be turned back into a CPR number from the store, nor linked across projects.
public struct ProjectKey: Sendable, Equatable {
    let key: SymmetricKey

    public static func == (a: ProjectKey, b: ProjectKey) -> Bool { a.base64 == b.base64 }

    public static func generate() -> ProjectKey { ProjectKey(key: SymmetricKey(size: .bits256)) }

    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64), data.count == 32 else { return nil }
        key = SymmetricKey(data: data)
    }

    init(key: SymmetricKey) { self.key = key }

    public var base64: String { key.withUnsafeBytes { Data($0).base64EncodedString() } }

    /// The person's pseudonym in this project: HMAC-SHA256 of the CPR number (ten digits) under the project's key,
    /// its first 128 bits.
    public func pseudonym(_ cpr: CPRNumber) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(cpr.value.utf8), using: key).prefix(16))
    }
}

/// The project keys the platform holds: a JSON file of project id → key, readable by the platform's user only.
public struct ProjectKeys: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public func all() throws(ResearchError) -> [String: ProjectKey] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        guard let data = FileManager.default.contents(atPath: path),
            let table = try? JSONDecoder().decode([String: String].self, from: data)
        else { throw ResearchError("research.keys-unreadable", ["path": .text(path)]) }
        var keys: [String: ProjectKey] = [:]
        for (project, text) in table {
            guard let key = ProjectKey(base64: text) else {
                throw ResearchError("research.keys-unreadable", ["path": .text(path)])
            }
            keys[project] = key
        }
        return keys
    }

    /// The project's key; an error in words when it has none (it was never approved, or the file was lost).
    public func key(for project: String) throws(ResearchError) -> ProjectKey {
        guard let key = try all()[project] else { throw ResearchError("research.key-missing", ["project": .text(project)]) }
        return key
    }

    /// Makes a key for the project (kept if it has one), written with mode 0600.
    @discardableResult
    public func make(for project: String) throws(ResearchError) -> ProjectKey {
        var keys = try all()
        if let known = keys[project] { return known }
        let key = ProjectKey.generate()
        keys[project] = key
        do {
            let url = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let data = try JSONEncoder().encode(keys.mapValues(\.base64))
            let temporary = path + ".tmp-\(getpid())"
            guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600])
            else { throw ResearchError("research.keys-unwritable", ["path": .text(path)]) }
            guard rename(temporary, path) == 0 else { throw ResearchError("research.keys-unwritable", ["path": .text(path)]) }
        } catch let error as ResearchError {
            throw error
        } catch {
            throw ResearchError("research.keys-unwritable", ["path": .text(path)])
        }
        return key
    }
}
