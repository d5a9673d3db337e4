// PostgresStorage: the storage on a shared PostgreSQL: its pool, its setup and shutdown, and a health check.

import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The platform on a PostgreSQL database that several nodes share (postgres-nio's `PostgresClient` pool).
///
/// - Numbers: each append locks the matched subscription rows (in id order, so two nodes never deadlock) and counts
///   up inside the transaction; gap-free and unique across nodes.
/// - Subscriptions: every change bumps the `subscriptions` counter first; an append reads it `FOR SHARE` and
///   refuses if the caller matched against an older list (`StorageConflict`).
/// - Fan-out: an append sends `NOTIFY` inside its transaction (delivered on commit); every node LISTENs on a
///   dedicated connection and hears what the others stored. The table stays the truth: after a lost connection the
///   node is told to `resync`, and live subscribers read from their last number.
/// - Audit: one chain-head row, locked `FOR UPDATE` in the append's transaction, serializes the chain across nodes.
/// - Rest-hook delivery: the node holding a session advisory lock on its LISTEN connection delivers; if that node
///   dies its connection closes, the lock goes, and another node takes over from `delivered_through`.
/// - PostgreSQL unreachable: every call fails within `timeout` with a message saying so (callers answer 503);
///   the pool reconnects by itself when the database is back.
public final class PostgresStorage: PlatformStorage {
    public let location: String
    public var isShared: Bool { true }
    /// Identifies this node in notifications, so it does not hear its own.
    public let nodeID: String
    let connection: PostgresConnection.Configuration
    let client: PostgresClient
    let logger: Logger
    let timeout: Duration
    let running = Mutex<[Task<Void, Never>]>([])
    let listeners = Mutex<[UUID: AsyncStream<StorageChange>.Continuation]>([:])
    let listening = Mutex(false)

    static let channel = "sundhedscloud"
    /// Session advisory lock key held by the node that delivers rest-hook notifications.
    static let restHookLockKey: Int64 = 7_402_031_001
    /// Transaction advisory lock key taken while migrating, so two nodes starting at once migrate once.
    static let migrationLockKey: Int64 = 7_402_031_002

    /// - Parameter url: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]`.
    public init(
        url: String, nodeID: String = UUID().uuidString, timeout: Duration = .seconds(5),
        logger: Logger = Logger(label: "sundhedscloud.storage")
    ) throws {
        let parsed = try PostgresURL(url)
        self.location = parsed.redacted
        self.nodeID = nodeID
        self.logger = logger
        self.timeout = timeout
        var connection = PostgresConnection.Configuration(
            host: parsed.host, port: parsed.port, username: parsed.user, password: parsed.password,
            database: parsed.database, tls: .disable)
        var pool = PostgresClient.Configuration(
            host: parsed.host, port: parsed.port, username: parsed.user, password: parsed.password,
            database: parsed.database, tls: .disable)
        switch parsed.tls {
        case .disable: break
        case .prefer:
            connection.tls = .prefer(try .init(configuration: .makeClientConfiguration()))
            pool.tls = .prefer(.makeClientConfiguration())
        case .require:
            connection.tls = .require(try .init(configuration: .makeClientConfiguration()))
            pool.tls = .require(.makeClientConfiguration())
        }
        connection.options.connectTimeout = .init(timeout)
        pool.options.connectTimeout = timeout
        pool.options.maximumConnections = 16
        self.connection = connection
        self.client = PostgresClient(configuration: pool, backgroundLogger: Self.quiet)
        let client = self.client
        running.withLock { $0.append(Task { await client.run() }) }
    }

    static let quiet = Logger(label: "sundhedscloud.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Stops listening and closes the pool.
    public func shutdown() async {
        let tasks = running.withLock { tasks in
            defer { tasks = [] }
            return tasks
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        let all = listeners.withLock { all in
            defer { all = [:] }
            return Array(all.values)
        }
        for continuation in all { continuation.finish() }
    }

    public func check() async throws {
        try await within {
            try await self.client.query("SELECT 1", logger: Self.quiet).collect()
        }
    }

    /// Every text column of every table, for the test that proves nothing clinical is stored.
    public func allText() async throws -> [String] {
        var texts: [String] = []
        for table in ["subscription", "event", "subscription_event", "binding_token", "audit", "counter"] {
            let rows = try await client.query(PostgresQuery(unsafeSQL: "SELECT * FROM \(table)"), logger: Self.quiet)
                .collect()
            for row in rows {
                for cell in row {
                    if let text = try? cell.decode(String.self) { texts.append(text) }
                }
            }
        }
        return texts
    }
}
