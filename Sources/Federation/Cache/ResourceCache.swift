import Crypto
import FHIR
import Foundation
import GRDB
import Words

/// The client's cache of source answers: SQLite (GRDB), every payload sealed with AES-GCM. Rows are keyed by an HMAC
/// of source and request, and tagged with an HMAC of the patient's CPR for invalidation, so neither a CPR number nor
/// a name nor any clinical text is readable in the file. The key is kept apart from the file (`CacheKeyStore`).
public final class ResourceCache: Sendable {
    public let path: String
    public let policy: CachePolicy
    private let database: DatabaseQueue
    private let sealingKey: SymmetricKey
    private let naming: SymmetricKey

    /// The cache cannot be used, with why (`cache-error.*` in `Assets/strings`); `description` is it in Danish.
    public struct CacheError: Error, CustomStringConvertible, Sendable, Phrased {
        public let phrase: Phrase

        public init(_ phrase: Phrase) { self.phrase = phrase }

        public var description: String { Catalog.danish.text(phrase) }
    }

    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        XDGDirectory.cache.path("cache.sqlite", environment: environment)
    }

    /// Opens (or creates) the cache. A file that is not a readable cache is moved aside (`.broken`) and a new one
    /// started: the cache only ever holds copies.
    public init(path: String, key: SymmetricKey, policy: CachePolicy = CachePolicy()) throws(CacheError) {
        self.path = path
        self.policy = policy
        let salt = Data("overblik-cache-v1".utf8)
        sealingKey = HKDF<SHA256>.deriveKey(inputKeyMaterial: key, salt: salt, info: Data("seal".utf8), outputByteCount: 32)
        naming = HKDF<SHA256>.deriveKey(inputKeyMaterial: key, salt: salt, info: Data("name".utf8), outputByteCount: 32)
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CacheError(
                Phrase(
                    "cache-error.folder-unmakeable",
                    ["folder": .text(directory), "error": .text(error.localizedDescription)]))
        }
        do {
            database = try Self.open(path)
        } catch {
            let aside = path + ".broken"
            try? FileManager.default.removeItem(atPath: aside)
            try? FileManager.default.moveItem(atPath: path, toPath: aside)
            do {
                database = try Self.open(path)
            } catch {
                throw CacheError(Phrase("cache-error.unopenable", ["file": .text(path), "error": .text("\(error)")]))
            }
        }
        _ = try? purge(olderThan: Date().addingTimeInterval(-policy.maxAge))
    }

    private static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            // SQLite's own page cache (2 MB by default) held a second copy of pages the system's file cache holds
            // anyway; decoded answers live in the memory page cache in front of this one.
            try db.execute(sql: "PRAGMA cache_size = -256")
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "entry") { t in
                t.primaryKey("key", .text)
                t.column("source", .text).notNull()
                t.column("patient", .text)
                t.column("type", .text).notNull()
                t.column("etag", .text)
                t.column("fetchedAt", .double).notNull()
                t.column("expiresAt", .double).notNull()
                t.column("lastAccess", .double).notNull()
                t.column("size", .integer).notNull()
                t.column("payload", .blob).notNull()
            }
            try db.create(index: "entry_patient", on: "entry", columns: ["patient", "source"])
            try db.create(index: "entry_access", on: "entry", columns: ["lastAccess"])
        }
        try migrator.migrate(queue)
        return queue
    }

    private func name(_ text: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: naming).hexString
    }

    func rowKey(source: String, url: String) -> String { name("request\u{0}\(source)\u{0}\(url)") }
    func patientTag(_ cpr: String) -> String { name("patient\u{0}\(cpr)") }

    public func lookup(source: String, url: String, now: Date = Date()) throws(CacheError) -> CachedPage? {
        let key = rowKey(source: source, url: url)
        let row: Row?
        do {
            row = try database.write { db -> Row? in
                let row = try Row.fetchOne(
                    db, sql: "SELECT etag, fetchedAt, expiresAt, payload FROM entry WHERE key = ?", arguments: [key])
                if row != nil {
                    try db.execute(
                        sql: "UPDATE entry SET lastAccess = ? WHERE key = ?", arguments: [now.timeIntervalSince1970, key])
                }
                return row
            }
        } catch {
            throw CacheError(Phrase("cache-error.unreadable", ["error": .text("\(error)")]))
        }
        guard let row else { return nil }
        let sealed: Data = row["payload"]
        guard let box = try? AES.GCM.SealedBox(combined: sealed),
            let payload = try? AES.GCM.open(box, using: sealingKey, authenticating: Data(key.utf8))
        else {
            // Another key, or a damaged row: it is no use to anyone.
            _ = try? database.write { db in try db.execute(sql: "DELETE FROM entry WHERE key = ?", arguments: [key]) }
            return nil
        }
        return CachedPage(
            payload: payload, etag: row["etag"], fetchedAt: Date(timeIntervalSince1970: row["fetchedAt"]),
            expiresAt: Date(timeIntervalSince1970: row["expiresAt"]))
    }

    public func store(
        source: String, url: String, patient: String?, type: String, etag: String?, payload: Data, fetchedAt: Date = Date()
    ) throws(CacheError) {
        let key = rowKey(source: source, url: url)
        let sealed: Data
        do {
            sealed = try AES.GCM.seal(payload, using: sealingKey, authenticating: Data(key.utf8)).combined ?? Data()
        } catch {
            throw CacheError(Phrase("cache-error.unsealable", ["error": .text("\(error)")]))
        }
        let expires = fetchedAt.addingTimeInterval(policy.timeToLive(for: type))
        let patientTag = patient.map(self.patientTag)
        do {
            try database.write { db in
                try db.execute(
                    sql: """
                        INSERT OR REPLACE INTO entry (key, source, patient, type, etag, fetchedAt, expiresAt, lastAccess, size, payload)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        key, source, patientTag, type, etag, fetchedAt.timeIntervalSince1970, expires.timeIntervalSince1970,
                        fetchedAt.timeIntervalSince1970, sealed.count, sealed,
                    ])
            }
            try evictIfNeeded()
        } catch let error as CacheError {
            throw error
        } catch {
            throw CacheError(Phrase("cache-error.unwritable", ["error": .text("\(error)")]))
        }
    }

    /// After a 304: the stored answer is current again for another time-to-live.
    public func revalidated(source: String, url: String, type: String, at time: Date = Date()) throws(CacheError) {
        let key = rowKey(source: source, url: url)
        do {
            try database.write { db in
                try db.execute(
                    sql: "UPDATE entry SET fetchedAt = ?, expiresAt = ?, lastAccess = ? WHERE key = ?",
                    arguments: [
                        time.timeIntervalSince1970, time.addingTimeInterval(policy.timeToLive(for: type)).timeIntervalSince1970,
                        time.timeIntervalSince1970, key,
                    ])
            }
        } catch {
            throw CacheError(Phrase("cache-error.unwritable", ["error": .text("\(error)")]))
        }
    }

    /// Marks a patient's answers (from one source, or all) as no longer fresh: the next use revalidates them, and
    /// they can still serve as stale data if the source fails. Returns how many entries were marked.
    @discardableResult
    public func invalidate(patient cpr: String, source: String? = nil) throws(CacheError) -> Int {
        let tag = patientTag(cpr)
        do {
            return try database.write { db in
                if let source {
                    try db.execute(
                        sql: "UPDATE entry SET expiresAt = 0 WHERE patient = ? AND source = ?", arguments: [tag, source])
                } else {
                    try db.execute(sql: "UPDATE entry SET expiresAt = 0 WHERE patient = ?", arguments: [tag])
                }
                return db.changesCount
            }
        } catch {
            throw CacheError(Phrase("cache-error.unwritable", ["error": .text("\(error)")]))
        }
    }

    /// Deletes entries fetched before `date`; returns how many.
    @discardableResult
    public func purge(olderThan date: Date) throws(CacheError) -> Int {
        do {
            return try database.write { db in
                try db.execute(sql: "DELETE FROM entry WHERE fetchedAt < ?", arguments: [date.timeIntervalSince1970])
                return db.changesCount
            }
        } catch {
            throw CacheError(Phrase("cache-error.unpurgeable", ["error": .text("\(error)")]))
        }
    }

    /// Deletes everything and gives the space back to the file system.
    public func purgeAll() throws(CacheError) {
        do {
            try database.write { db in try db.execute(sql: "DELETE FROM entry") }
            try database.vacuum()
        } catch {
            throw CacheError(Phrase("cache-error.unemptiable", ["error": .text("\(error)")]))
        }
    }

    public struct Statistics: Sendable {
        public let entries: Int
        public let bytes: Int
    }

    public func statistics() throws(CacheError) -> Statistics {
        do {
            return try database.read { db in
                let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM entry")
                return Statistics(entries: row?["n"] ?? 0, bytes: row?["bytes"] ?? 0)
            }
        } catch {
            throw CacheError(Phrase("cache-error.unreadable", ["error": .text("\(error)")]))
        }
    }

    /// Trims the least recently used entries until the payloads fit in `policy.maxBytes`.
    func evictIfNeeded() throws {
        try database.write { db in
            let total = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(size), 0) FROM entry") ?? 0
            guard total > policy.maxBytes else { return }
            var excess = total - policy.maxBytes
            let rows = try Row.fetchAll(db, sql: "SELECT key, size FROM entry ORDER BY lastAccess ASC")
            for row in rows where excess > 0 {
                let key: String = row["key"]
                let size: Int = row["size"]
                try db.execute(sql: "DELETE FROM entry WHERE key = ?", arguments: [key])
                excess -= size
            }
        }
    }
}
