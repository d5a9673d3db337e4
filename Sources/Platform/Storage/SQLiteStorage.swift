// SQLiteStorage: the embedded storage in one SQLite file: opening it, the writer's queue, checks and closing.

import Foundation
import GRDB
import Synchronization
import Words

/// The embedded default storage: one SQLite file (GRDB, WAL). Numbers are assigned inside the write transaction
/// from the subscription row's counter, so they are gap-free and survive restarts.
public final class SQLiteStorage: PlatformStorage {
    let pool: DatabasePool
    public let path: String
    public var location: String { "sqlite:\(path)" }
    public var isShared: Bool { false }
    /// Appends waiting for the writer, and whether a drain is running.
    let appends = Mutex<(pending: [PendingAppend], draining: Bool)>(([], false))

    /// Opens (creating if needed) the database at `path`; its folder is created too.
    public init(path: String) throws {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL with NORMAL sync: a committed event survives a crash of the process (not of the machine's power).
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw PlatformStorageError(
                Phrase("storage.sqlite-unopenable", ["file": .text(path), "error": .text("\(error)")]))
        }
    }

    public func check() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func changes() -> AsyncStream<StorageChange> {
        AsyncStream { $0.finish() }
    }

    /// Closes the database: every later read or write fails (an operator stopping the storage; the test that no
    /// access is served unlogged).
    public func close() throws {
        try pool.close()
    }

    /// Every text column of every table, for the test that proves nothing clinical is stored.
    public func allText() async throws -> [String] {
        try await pool.read { db in
            var texts: [String] = []
            for table in ["subscription", "event", "subscriptionEvent", "bindingToken", "audit", "counter"] {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table)") {
                    for (_, value) in row {
                        if let text = String.fromDatabaseValue(value) { texts.append(text) }
                    }
                }
            }
            return texts
        }
    }

    static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}
