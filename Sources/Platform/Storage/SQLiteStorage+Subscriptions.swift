// SQLiteStorage: subscription rows, the subscription list's version, and websocket binding tokens.

import Foundation
import GRDB

extension SQLiteStorage {
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

    private static func subscription(_ row: Row) -> SubscriptionRecord {
        SubscriptionRecord.stored(
            id: row["id"], topic: row["topic"], filtersJSON: row["filters"] ?? "", channel: row["channel"] ?? "",
            endpoint: row["endpoint"], headersJSON: row["headers"] ?? "", payload: row["payload"] ?? "",
            heartbeatSeconds: row["heartbeat"], status: row["status"] ?? "", error: row["error"], owner: row["owner"],
            audienceJSON: row["audience"],
            created: Date(timeIntervalSince1970: row["created"]), eventCount: row["eventCount"],
            deliveredThrough: row["deliveredThrough"])
    }
}
