// SQLiteStorage: events stored once and numbered per subscription (group commit), read back by number and focus.

import Foundation
import GRDB

extension SQLiteStorage {
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

    struct PendingAppend: Sendable {
        let event: EventRecord
        let subscriptionIDs: [String]
        let subscriptionsVersion: Int64
        let committed: @Sendable (AppendResult) -> Void
        let continuation: CheckedContinuation<AppendResult?, any Error>
    }

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

    private static func event(_ row: Row) -> EventRecord {
        EventRecord(
            id: row["id"], sourceKey: row["sourceKey"], sourceID: row["sourceID"], topic: row["topic"],
            code: EventCode(rawValue: row["code"]), focus: row["focus"], patientCPR: row["patientCPR"],
            organization: row["organization"], organizationName: row["organizationName"],
            municipality: row["municipality"], occurred: Date(timeIntervalSince1970: row["occurred"]),
            accepted: Date(timeIntervalSince1970: row["accepted"]))
    }
}
