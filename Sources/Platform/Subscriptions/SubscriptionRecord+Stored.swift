import Foundation

extension SubscriptionRecord {
    /// A subscription read back from storage (the same for SQLite and PostgreSQL). A stored column that cannot be
    /// read fails closed: the subscription is in `error` with the reason the operator sees in `$status` and the log,
    /// and `defect` is set, so that it matches no event at all (an unreadable filter must never mean "no filter").
    static func stored(
        id: String, topic: String, filtersJSON: String, channel: String, endpoint: String?, headersJSON: String,
        payload: String, heartbeatSeconds: Int?, status: String, error: String?, owner: String?, audienceJSON: String?,
        created: Date, eventCount: Int64, deliveredThrough: Int64
    ) -> SubscriptionRecord {
        var defects: [String] = []
        let filters: [SubscriptionFilter]
        do {
            filters = try JSONDecoder().decode([SubscriptionFilter].self, from: Data(filtersJSON.utf8))
        } catch {
            filters = []
            defects.append("filteret kan ikke læses")
        }
        let headers: [String]
        do {
            headers = try JSONDecoder().decode([String].self, from: Data(headersJSON.utf8))
        } catch {
            headers = []
            defects.append("kanalens headere kan ikke læses")
        }
        let channelValue = Channel(rawValue: channel)
        if channelValue == nil { defects.append("ukendt kanal '\(channel.prefix(40))'") }
        let payloadValue = Payload(rawValue: payload)
        if payloadValue == nil { defects.append("ukendt indhold '\(payload.prefix(40))'") }
        let statusValue = Status(rawValue: status)
        if statusValue == nil { defects.append("ukendt status '\(status.prefix(40))'") }
        if EventTopic.named(topic) == nil { defects.append("ukendt emne '\(topic.prefix(80))'") }
        var record = SubscriptionRecord(
            id: id, topic: topic, filters: filters, channel: channelValue ?? .sse, endpoint: endpoint, headers: headers,
            payload: payloadValue ?? .empty, heartbeatSeconds: heartbeatSeconds, status: statusValue ?? .error,
            error: error, owner: owner, created: created, eventCount: eventCount, deliveredThrough: deliveredThrough)
        if let audienceJSON {
            do {
                record.audience = try JSONDecoder().decode(Identity.self, from: Data(audienceJSON.utf8))
            } catch {
                defects.append("modtagerens adgang kan ikke læses")
            }
        }
        if !defects.isEmpty {
            let reason = "Det gemte abonnement er beskadiget (\(defects.joined(separator: "; "))); det leverer intet"
            record.status = .error
            record.error = reason
            record.defect = reason
        }
        return record
    }
}
