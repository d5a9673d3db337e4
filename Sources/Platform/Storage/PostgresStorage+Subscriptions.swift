// PostgresStorage: subscription rows, the subscription list's version, and websocket binding tokens.

import Foundation
import PostgresNIO
import Words

extension PostgresStorage {
    /// A subscription row with its count of numbered events (counted, not kept: see migration v4).
    static let subscriptionColumns = """
        s.*, (SELECT coalesce(max(se.number), 0) FROM subscription_event se WHERE se.subscription_id = s.id) AS counted
        """

    private static func bumpSubscriptionsVersion(_ db: PostgresConnection) async throws {
        try await db.query("UPDATE counter SET value = value + 1 WHERE name = 'subscriptions'", logger: quiet)
        try await db.query("SELECT pg_notify(\(channel), \("s"))", logger: quiet)
    }

    public func insertSubscription(_ record: SubscriptionRecord) async throws {
        let filters = try Self.encode(record.filters)
        let headers = try Self.encode(record.headers)
        let audience = try record.audience.map(Self.encode)
        try await transaction(Phrase("storage.subscription-unsaved")) { db in
            try await Self.bumpSubscriptionsVersion(db)
            try await db.query(
                """
                INSERT INTO subscription (id, topic, filters, channel, endpoint, headers, payload, heartbeat, status,
                  error, owner, audience, created, event_count, delivered_through)
                VALUES (\(record.id), \(record.topic), \(filters), \(record.channel.rawValue), \(record.endpoint),
                  \(headers), \(record.payload.rawValue), \(record.heartbeatSeconds.map(Int64.init)),
                  \(record.status.rawValue), \(record.error), \(record.owner), \(audience),
                  \(record.created.timeIntervalSince1970),
                  \(record.eventCount), \(record.deliveredThrough))
                """, logger: Self.quiet)
        }
    }

    public func subscription(id: String) async throws -> SubscriptionRecord? {
        try await within {
            let rows = try await self.client.query(
                "SELECT \(unescaped: Self.subscriptionColumns) FROM subscription s WHERE s.id = \(id)", logger: Self.quiet
            ).collect()
            return try rows.first.map(Self.subscription)
        }
    }

    public func subscriptionSnapshot() async throws -> SubscriptionSnapshot {
        try await transaction(Phrase("storage.subscriptions-unreadable")) { db in
            var version: Int64 = 0
            for try await value in try await db.query(
                "SELECT value FROM counter WHERE name = 'subscriptions'", logger: Self.quiet
            ).decode(Int64.self) {
                version = value
            }
            let rows = try await db.query(
                "SELECT \(unescaped: Self.subscriptionColumns) FROM subscription s WHERE s.status <> 'off' ORDER BY s.created",
                logger: Self.quiet
            ).collect()
            return SubscriptionSnapshot(version: version, records: try rows.map(Self.subscription))
        }
    }

    public func updateStatus(subscriptionID: String, status: SubscriptionRecord.Status, error: String?) async throws {
        try await transaction(Phrase("storage.subscription-unchangeable")) { db in
            // The counter first: an append holds it FOR SHARE before it locks subscription rows.
            try await Self.bumpSubscriptionsVersion(db)
            try await db.query(
                "UPDATE subscription SET status = \(status.rawValue), error = \(error) WHERE id = \(subscriptionID)",
                logger: Self.quiet)
        }
    }

    public func saveBindingToken(_ token: BindingToken) async throws {
        try await transaction(Phrase("storage.token-unsaved")) { db in
            try await db.query(
                "DELETE FROM binding_token WHERE expires < \(Date().timeIntervalSince1970)", logger: Self.quiet)
            try await db.query(
                """
                INSERT INTO binding_token (token, subscription_id, expires)
                VALUES (\(token.token), \(token.subscriptionID), \(token.expires.timeIntervalSince1970))
                """, logger: Self.quiet)
        }
    }

    public func bindingToken(_ token: String) async throws -> BindingToken? {
        try await within {
            for try await (value, subscription, expires) in try await self.client.query(
                "SELECT token, subscription_id, expires FROM binding_token WHERE token = \(token)", logger: Self.quiet
            ).decode((String, String, Double).self) {
                return BindingToken(
                    token: value, subscriptionID: subscription, expires: Date(timeIntervalSince1970: expires))
            }
            return nil
        }
    }

    private static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    private static func subscription(_ row: PostgresRow) throws -> SubscriptionRecord {
        let r = row.makeRandomAccess()
        return SubscriptionRecord.stored(
            id: try r["id"].decode(String.self), topic: try r["topic"].decode(String.self),
            filtersJSON: try r["filters"].decode(String.self), channel: try r["channel"].decode(String.self),
            endpoint: try r["endpoint"].decode(String?.self), headersJSON: try r["headers"].decode(String.self),
            payload: try r["payload"].decode(String.self),
            heartbeatSeconds: try r["heartbeat"].decode(Int64?.self).map(Int.init),
            status: try r["status"].decode(String.self), error: try r["error"].decode(String?.self),
            owner: try r["owner"].decode(String?.self), audienceJSON: try r["audience"].decode(String?.self),
            created: Date(timeIntervalSince1970: try r["created"].decode(Double.self)),
            eventCount: try r["counted"].decode(Int64.self), deliveredThrough: try r["delivered_through"].decode(Int64.self))
    }
}
