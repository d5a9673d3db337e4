import Foundation
import GRDB
import Synchronization

/// The embedded default storage: one SQLite file (GRDB, WAL). Numbers are assigned inside the write transaction
/// from the subscription row's counter, so they are gap-free and survive restarts.
public final class SQLiteStorage: PlatformStorage {
    private let pool: DatabasePool
    public let path: String
    public var location: String { "sqlite:\(path)" }
    public var isShared: Bool { false }

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
            throw PlatformStorageError("Platformens database \(path) kan ikke åbnes: \(error)")
        }
    }

    public func migrate() async throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "subscription") { t in
                t.primaryKey("id", .text)
                t.column("topic", .text).notNull()
                t.column("filters", .text).notNull()
                t.column("channel", .text).notNull()
                t.column("endpoint", .text)
                t.column("headers", .text).notNull()
                t.column("payload", .text).notNull()
                t.column("heartbeat", .integer)
                t.column("status", .text).notNull()
                t.column("error", .text)
                t.column("owner", .text)
                t.column("created", .double).notNull()
                t.column("eventCount", .integer).notNull().defaults(to: 0)
                t.column("deliveredThrough", .integer).notNull().defaults(to: 0)
            }
            try db.create(table: "event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("sourceKey", .text).notNull().unique()
                t.column("sourceID", .text).notNull()
                t.column("topic", .text).notNull()
                t.column("code", .text).notNull()
                t.column("focus", .text).notNull()
                t.column("patientCPR", .text)
                t.column("organization", .text)
                t.column("organizationName", .text)
                t.column("municipality", .text)
                t.column("occurred", .double).notNull()
                t.column("accepted", .double).notNull()
            }
            try db.create(index: "event_focus", on: "event", columns: ["focus"])
            try db.create(table: "subscriptionEvent") { t in
                t.column("subscriptionID", .text).notNull().references("subscription", onDelete: .cascade)
                t.column("number", .integer).notNull()
                t.column("eventID", .integer).notNull().references("event")
                t.primaryKey(["subscriptionID", "number"])
            }
            try db.create(table: "bindingToken") { t in
                t.primaryKey("token", .text)
                t.column("subscriptionID", .text).notNull()
                t.column("expires", .double).notNull()
            }
        }
        migrator.registerMigration("v2-audit") { db in
            try db.create(table: "audit") { t in
                t.primaryKey("sequence", .integer)
                t.column("recorded", .double).notNull()
                t.column("userID", .text).notNull()
                t.column("userName", .text).notNull()
                t.column("role", .text).notNull()
                t.column("organization", .text)
                t.column("organizationName", .text)
                t.column("patientCPR", .text)
                t.column("sourceID", .text)
                t.column("resourceTypes", .text).notNull()
                t.column("action", .text).notNull()
                t.column("purpose", .text).notNull()
                t.column("outcome", .text).notNull()
                t.column("reason", .text)
                t.column("emergency", .boolean).notNull()
                t.column("client", .text)
                t.column("previousHash", .text).notNull()
                t.column("hash", .text).notNull()
            }
            try db.create(index: "audit_patient", on: "audit", columns: ["patientCPR", "sequence"])
            // Append-only: the database itself refuses changes and deletions.
            try db.execute(
                sql: """
                    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                      BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
                    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
                      BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
                    """)
        }
        migrator.registerMigration("v3-subscription-version") { db in
            // Bumped by every change to the subscriptions, checked by every append (see PlatformStorage).
            try db.create(table: "counter") { t in
                t.primaryKey("name", .text)
                t.column("value", .integer).notNull()
            }
            try db.execute(sql: "INSERT INTO counter (name, value) VALUES ('subscriptions', 1)")
            try db.create(index: "subscriptionEvent_event", on: "subscriptionEvent", columns: ["eventID"])
        }
        migrator.registerMigration("v4-subscription-audience") { db in
            // What the subscriber may open (JSON of Identity without the name); checked at every delivery.
            try db.alter(table: "subscription") { t in t.add(column: "audience", .text) }
        }
        do {
            try migrator.migrate(pool)
        } catch {
            throw PlatformStorageError("Platformens database \(path) kan ikke opgraderes: \(error)")
        }
    }

    public func check() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func changes() -> AsyncStream<StorageChange> {
        AsyncStream { $0.finish() }
    }

    private static func bumpSubscriptionsVersion(_ db: Database) throws {
        try db.execute(sql: "UPDATE counter SET value = value + 1 WHERE name = 'subscriptions'")
    }

    public func insertSubscription(_ record: SubscriptionRecord) async throws {
        let filters = try Self.encode(record.filters)
        let headers = try Self.encode(record.headers)
        let audience = try record.audience.map(Self.encode)
        try await pool.write { db in
            try Self.bumpSubscriptionsVersion(db)
            try db.execute(
                sql: """
                    INSERT INTO subscription (id, topic, filters, channel, endpoint, headers, payload, heartbeat, status,
                      error, owner, audience, created, eventCount, deliveredThrough) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                    """,
                arguments: [
                    record.id, record.topic, filters, record.channel.rawValue, record.endpoint, headers,
                    record.payload.rawValue, record.heartbeatSeconds, record.status.rawValue, record.error, record.owner,
                    audience, record.created.timeIntervalSince1970, record.eventCount, record.deliveredThrough,
                ])
        }
    }

    public func subscription(id: String) async throws -> SubscriptionRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM subscription WHERE id = ?", arguments: [id]).map(Self.subscription)
        }
    }

    public func subscriptionSnapshot() async throws -> SubscriptionSnapshot {
        try await pool.read { db in
            SubscriptionSnapshot(
                version: try Int64.fetchOne(db, sql: "SELECT value FROM counter WHERE name = 'subscriptions'") ?? 0,
                records: try Row.fetchAll(db, sql: "SELECT * FROM subscription WHERE status <> 'off' ORDER BY created")
                    .map(Self.subscription))
        }
    }

    public func updateStatus(subscriptionID: String, status: SubscriptionRecord.Status, error: String?) async throws {
        try await pool.write { db in
            try Self.bumpSubscriptionsVersion(db)
            try db.execute(
                sql: "UPDATE subscription SET status = ?, error = ? WHERE id = ?",
                arguments: [status.rawValue, error, subscriptionID])
        }
    }

    public func append(
        _ event: EventRecord, for subscriptionIDs: [String], subscriptionsVersion: Int64,
        committed: @escaping @Sendable (AppendResult) -> Void
    ) async throws -> AppendResult? {
        try await withCheckedThrowingContinuation { continuation in
            let drain = appends.withLock { queue -> Bool in
                queue.pending.append(
                    PendingAppend(
                        event: event, subscriptionIDs: subscriptionIDs, subscriptionsVersion: subscriptionsVersion,
                        committed: committed, continuation: continuation))
                guard !queue.draining else { return false }
                queue.draining = true
                return true
            }
            if drain { Task { await self.drainAppends() } }
        }
    }

    private struct PendingAppend: Sendable {
        let event: EventRecord
        let subscriptionIDs: [String]
        let subscriptionsVersion: Int64
        let committed: @Sendable (AppendResult) -> Void
        let continuation: CheckedContinuation<AppendResult?, any Error>
    }

    /// Appends waiting for the writer, and whether a drain is running.
    private let appends = Mutex<(pending: [PendingAppend], draining: Bool)>(([], false))

    /// Group commit: the events that arrived while the last transaction was being written go into the next one
    /// together. Each event is numbered in its own savepoint (one that fails fails alone), all are committed at
    /// once, then published in order from the writer and answered. Under load this spreads a commit's page
    /// writes (every subscription's index page) over many events; alone, an event is committed as soon as before.
    private func drainAppends() async {
        while true {
            let batch = appends.withLock { queue -> [PendingAppend] in
                let batch = queue.pending
                queue.pending = []
                if batch.isEmpty { queue.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                try await pool.writeWithoutTransaction { db in
                    var outcomes: [Result<AppendResult?, any Error>] = []
                    try db.inTransaction {
                        outcomes = []
                        let version = try Int64.fetchOne(
                            db.cachedStatement(sql: "SELECT value FROM counter WHERE name = 'subscriptions'"))
                        for item in batch {
                            guard version == item.subscriptionsVersion else {
                                outcomes.append(.failure(StorageConflict.subscriptionsChanged))
                                continue
                            }
                            do {
                                var result: AppendResult?
                                try db.inSavepoint {
                                    result = try Self.insert(item.event, for: item.subscriptionIDs, db)
                                    return .commit
                                }
                                outcomes.append(.success(result))
                            } catch {
                                outcomes.append(.failure(error))
                            }
                        }
                        return .commit
                    }
                    // Committed: published in commit order, still on the writer, then answered.
                    for (item, outcome) in zip(batch, outcomes) {
                        if case .success(let result?) = outcome { item.committed(result) }
                    }
                    for (item, outcome) in zip(batch, outcomes) { item.continuation.resume(with: outcome) }
                }
            } catch {
                for item in batch { item.continuation.resume(throwing: error) }
            }
        }
    }

    private static func insert(_ event: EventRecord, for subscriptionIDs: [String], _ db: Database) throws -> AppendResult? {
        do {
            try db.cachedStatement(
                sql: """
                    INSERT INTO event (sourceKey, sourceID, topic, code, focus, patientCPR, organization,
                      organizationName, municipality, occurred, accepted) VALUES (?,?,?,?,?,?,?,?,?,?,?)
                    ON CONFLICT(sourceKey) DO NOTHING
                    """
            ).execute(
                arguments: [
                    event.sourceKey, event.sourceID, event.topic, event.code.rawValue, event.focus, event.patientCPR,
                    event.organization, event.organizationName, event.municipality, event.occurred.timeIntervalSince1970,
                    event.accepted.timeIntervalSince1970,
                ])
            guard db.changesCount > 0 else { return nil }
            var stored = event
            stored.id = db.lastInsertedRowID
            var numbers: [String: Int64] = [:]
            guard !subscriptionIDs.isEmpty else { return AppendResult(event: stored, numbers: numbers) }
            // Three statements whatever the number of subscriptions: count up, record, read back the numbers.
            let ids = try Self.encode(subscriptionIDs)
            try db.cachedStatement(
                sql: """
                    UPDATE subscription SET eventCount = eventCount + 1
                    WHERE status <> 'off' AND id IN (SELECT value FROM json_each(?))
                    """
            ).execute(arguments: [ids])
            let rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        INSERT INTO subscriptionEvent (subscriptionID, number, eventID)
                        SELECT id, eventCount, ? FROM subscription
                        WHERE status <> 'off' AND id IN (SELECT value FROM json_each(?))
                        RETURNING subscriptionID, number
                        """),
                arguments: [stored.id, ids])
            for row in rows { numbers[row["subscriptionID"]] = row["number"] }
            return AppendResult(event: stored, numbers: numbers)
        }
    }

    public func appended(eventIDs: [Int64]) async throws -> [AppendResult] {
        try await pool.read { db in
            try eventIDs.sorted().compactMap { eventID -> AppendResult? in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [eventID]) else {
                    return nil
                }
                var numbers: [String: Int64] = [:]
                for number in try Row.fetchAll(
                    db, sql: "SELECT subscriptionID, number FROM subscriptionEvent WHERE eventID = ?", arguments: [eventID])
                {
                    numbers[number["subscriptionID"]] = number["number"]
                }
                return AppendResult(event: Self.event(row), numbers: numbers)
            }
        }
    }

    public func events(subscriptionID: String, after: Int64, through: Int64?, limit: Int) async throws -> [NumberedEvent] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT se.number AS number, e.* FROM subscriptionEvent se JOIN event e ON e.id = se.eventID
                    WHERE se.subscriptionID = ? AND se.number > ? AND se.number <= ? ORDER BY se.number LIMIT ?
                    """,
                arguments: [subscriptionID, after, through ?? Int64.max, limit]
            ).map { row in NumberedEvent(number: row["number"], event: Self.event(row)) }
        }
    }

    public func codes(forFocus focus: String) async throws -> [EventCode] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT code FROM event WHERE focus = ? ORDER BY id", arguments: [focus]).map {
                EventCode(rawValue: $0)
            }
        }
    }

    public func setDelivered(subscriptionID: String, through number: Int64) async throws {
        try await pool.write { db in
            try db.execute(
                sql: "UPDATE subscription SET deliveredThrough = max(deliveredThrough, ?) WHERE id = ?",
                arguments: [number, subscriptionID])
        }
    }

    public func saveBindingToken(_ token: BindingToken) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM bindingToken WHERE expires < ?", arguments: [Date().timeIntervalSince1970])
            try db.execute(
                sql: "INSERT INTO bindingToken (token, subscriptionID, expires) VALUES (?,?,?)",
                arguments: [token.token, token.subscriptionID, token.expires.timeIntervalSince1970])
        }
    }

    public func bindingToken(_ token: String) async throws -> BindingToken? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM bindingToken WHERE token = ?", arguments: [token]).map { row in
                BindingToken(
                    token: row["token"], subscriptionID: row["subscriptionID"],
                    expires: Date(timeIntervalSince1970: row["expires"]))
            }
        }
    }

    public func appendAudit(_ entry: AuditEntry) async throws -> AuditEntry {
        try await pool.write { db in
            let head = try Row.fetchOne(db, sql: "SELECT sequence, hash FROM audit ORDER BY sequence DESC LIMIT 1")
            var sealed = entry
            sealed.seal(
                sequence: (head?["sequence"] as Int64? ?? 0) + 1, previousHash: head?["hash"] ?? AuditEntry.genesis)
            try db.cachedStatement(
                sql: """
                    INSERT INTO audit (sequence, recorded, userID, userName, role, organization, organizationName,
                      patientCPR, sourceID, resourceTypes, action, purpose, outcome, reason, emergency, client,
                      previousHash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                    """
            ).execute(arguments: [
                sealed.sequence, sealed.recorded.timeIntervalSince1970, sealed.userID, sealed.userName, sealed.role,
                sealed.organization, sealed.organizationName, sealed.patientCPR, sealed.sourceID,
                sealed.resourceTypes.joined(separator: ","), sealed.action, sealed.purpose, sealed.outcome, sealed.reason,
                sealed.emergency, sealed.client, sealed.previousHash, sealed.hash,
            ])
            return sealed
        }
    }

    public func auditEntries(patient: String?, emergencyOnly: Bool, after: Int64, limit: Int) async throws -> [AuditEntry] {
        try await pool.read { db in
            var conditions = ["sequence > ?"]
            var arguments: [(any DatabaseValueConvertible)?] = [after]
            if let patient {
                conditions.append("patientCPR = ?")
                arguments.append(patient)
            }
            if emergencyOnly { conditions.append("emergency = 1") }
            arguments.append(limit)
            return try Row.fetchAll(
                db, sql: "SELECT * FROM audit WHERE \(conditions.joined(separator: " AND ")) ORDER BY sequence LIMIT ?",
                arguments: StatementArguments(arguments)
            ).map(Self.audit)
        }
    }

    public func auditHead() async throws -> (sequence: Int64, hash: String) {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT sequence, hash FROM audit ORDER BY sequence DESC LIMIT 1")
            else { return (0, AuditEntry.genesis) }
            return (row["sequence"], row["hash"])
        }
    }

    /// Closes the database: every later read or write fails (an operator stopping the storage; the test that no
    /// access is served unlogged).
    public func close() throws {
        try pool.close()
    }

    private static func audit(_ row: Row) -> AuditEntry {
        let types: String = row["resourceTypes"]
        var entry = AuditEntry(
            recorded: Date(timeIntervalSince1970: row["recorded"]),
            identity: Identity(id: row["userID"], name: row["userName"], role: .doctor), patientCPR: row["patientCPR"],
            sourceID: row["sourceID"], resourceTypes: types.isEmpty ? [] : types.split(separator: ",").map(String.init),
            action: row["action"], purpose: row["purpose"], outcome: row["outcome"], reason: row["reason"],
            emergency: row["emergency"], client: row["client"])
        entry.role = row["role"]
        entry.organization = row["organization"]
        entry.organizationName = row["organizationName"]
        entry.sequence = row["sequence"]
        entry.previousHash = row["previousHash"]
        entry.hash = row["hash"]
        return entry
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

    private static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    private static func subscription(_ row: Row) -> SubscriptionRecord {
        SubscriptionRecord.stored(
            id: row["id"], topic: row["topic"], filtersJSON: row["filters"] ?? "", channel: row["channel"] ?? "",
            endpoint: row["endpoint"], headersJSON: row["headers"] ?? "", payload: row["payload"] ?? "",
            heartbeatSeconds: row["heartbeat"], status: row["status"] ?? "", error: row["error"], owner: row["owner"],
            audienceJSON: row["audience"],
            created: Date(timeIntervalSince1970: row["created"]), eventCount: row["eventCount"],
            deliveredThrough: row["deliveredThrough"])
    }

    private static func event(_ row: Row) -> EventRecord {
        EventRecord(
            id: row["id"], sourceKey: row["sourceKey"], sourceID: row["sourceID"], topic: row["topic"],
            code: EventCode(rawValue: row["code"]), focus: row["focus"], patientCPR: row["patientCPR"],
            organization: row["organization"], organizationName: row["organizationName"],
            municipality: row["municipality"], occurred: Date(timeIntervalSince1970: row["occurred"]),
            accepted: Date(timeIntervalSince1970: row["accepted"]))
    }
}

/// The platform's storage cannot do what was asked (cannot open, cannot write).
public struct PlatformStorageError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
