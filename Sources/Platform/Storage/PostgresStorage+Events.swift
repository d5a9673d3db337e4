// PostgresStorage: events stored once and numbered per subscription, read back by number and by focus.

import Foundation
import PostgresNIO
import Words

extension PostgresStorage {
    /// One statement, so one round trip and the shortest possible hold on the locks: the server-side
    /// `append_event` (migration v4) checks the list's version, stores the event once, numbers it in the matched
    /// subscriptions (rows locked in id order: two nodes wait for each other, never deadlock) and sends the NOTIFY,
    /// all in the statement's own transaction.
    public func append(
        _ event: EventRecord, for subscriptionIDs: [String], subscriptionsVersion: Int64,
        committed: @escaping @Sendable (AppendResult) -> Void
    ) async throws -> AppendResult? {
        let node = nodeID
        var attempt = 0
        while true {
            attempt += 1
            do {
                let result = try await within(Phrase("storage.event-unsaved")) { () -> AppendResult? in
                    var inserted: Int64?
                    var numbers: [String: Int64] = [:]
                    for try await (id, subscription, number) in try await self.client.query(
                        """
                        SELECT out_event, out_subscription, out_number FROM append_event(
                          \(subscriptionsVersion), \(event.sourceKey), \(event.sourceID), \(event.topic),
                          \(event.code.rawValue), \(event.focus), \(event.patientCPR), \(event.organization),
                          \(event.organizationName), \(event.municipality), \(event.occurred.timeIntervalSince1970),
                          \(event.accepted.timeIntervalSince1970), \(subscriptionIDs), \(node))
                        """, logger: Self.quiet
                    ).decode((Int64, String?, Int64?).self) {
                        inserted = id
                        if let subscription, let number { numbers[subscription] = number }
                    }
                    guard let inserted else { return nil }
                    var stored = event
                    stored.id = inserted
                    return AppendResult(event: stored, numbers: numbers)
                }
                if let result { committed(result) }
                return result
            } catch let error as PlatformStorageError where attempt < 4 && Self.isRetryable(error) {
                continue
            }
        }
    }

    /// One query for a whole batch (a node following another reads what it was told of since it last looked).
    public func appended(eventIDs: [Int64]) async throws -> [AppendResult] {
        guard !eventIDs.isEmpty else { return [] }
        return try await within {
            let rows = try await self.client.query(
                """
                SELECT e.*, se.subscription_id AS numbered_in, se.number AS numbered_as
                FROM event e LEFT JOIN subscription_event se ON se.event_id = e.id
                WHERE e.id = ANY(\(eventIDs)) ORDER BY e.id
                """, logger: Self.quiet
            ).collect()
            var results: [AppendResult] = []
            var current: (event: EventRecord, numbers: [String: Int64])?
            for row in rows {
                let event = try Self.event(row)
                if current?.event.id != event.id {
                    if let done = current { results.append(AppendResult(event: done.event, numbers: done.numbers)) }
                    current = (event, [:])
                }
                let r = row.makeRandomAccess()
                if let subscription = try r["numbered_in"].decode(String?.self),
                    let number = try r["numbered_as"].decode(Int64?.self)
                {
                    current?.numbers[subscription] = number
                }
            }
            if let done = current { results.append(AppendResult(event: done.event, numbers: done.numbers)) }
            return results
        }
    }

    public func events(subscriptionID: String, after: Int64, through: Int64?, limit: Int) async throws -> [NumberedEvent] {
        try await within {
            let rows = try await self.client.query(
                """
                SELECT se.number AS number, e.* FROM subscription_event se JOIN event e ON e.id = se.event_id
                WHERE se.subscription_id = \(subscriptionID) AND se.number > \(after)
                  AND se.number <= \(through ?? Int64.max)
                ORDER BY se.number LIMIT \(Int64(limit))
                """, logger: Self.quiet
            ).collect()
            return try rows.map { row in
                NumberedEvent(number: try row.makeRandomAccess()["number"].decode(Int64.self), event: try Self.event(row))
            }
        }
    }

    public func codes(forFocus focus: String) async throws -> [EventCode] {
        try await within {
            var codes: [EventCode] = []
            for try await code in try await self.client.query(
                "SELECT code FROM event WHERE focus = \(focus) ORDER BY id", logger: Self.quiet
            ).decode(String.self) {
                codes.append(EventCode(rawValue: code))
            }
            return codes
        }
    }

    public func setDelivered(subscriptionID: String, through number: Int64) async throws {
        try await within {
            try await self.client.query(
                """
                UPDATE subscription SET delivered_through = greatest(delivered_through, \(number))
                WHERE id = \(subscriptionID)
                """, logger: Self.quiet)
        }
    }

    private static func event(_ row: PostgresRow) throws -> EventRecord {
        let r = row.makeRandomAccess()
        return EventRecord(
            id: try r["id"].decode(Int64.self), sourceKey: try r["source_key"].decode(String.self),
            sourceID: try r["source_id"].decode(String.self), topic: try r["topic"].decode(String.self),
            code: EventCode(rawValue: try r["code"].decode(String.self)), focus: try r["focus"].decode(String.self),
            patientCPR: try r["patient_cpr"].decode(String?.self),
            organization: try r["organization"].decode(String?.self),
            organizationName: try r["organization_name"].decode(String?.self),
            municipality: try r["municipality"].decode(String?.self),
            occurred: Date(timeIntervalSince1970: try r["occurred"].decode(Double.self)),
            accepted: Date(timeIntervalSince1970: try r["accepted"].decode(Double.self)))
    }
}
