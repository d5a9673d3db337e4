import FHIR
import Foundation
import Words

/// Reads a Subscription as a client posts it (R4, Subscriptions Backport profile): the topic canonical in
/// `criteria`, filters in `criteria.extension` (backport-filter-criteria), the channel type in `channel.type` (or a
/// `backport-channel-type` extension for our `sse` channel), payload content in `channel.payload.extension`
/// (backport-payload-content), heartbeat in `channel.extension` (backport-heartbeat-period).
public enum SubscriptionRequest {
    static let backport = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/"
    public static let filterCriteria = backport + "backport-filter-criteria"
    public static let payloadContent = backport + "backport-payload-content"
    public static let heartbeatPeriod = backport + "backport-heartbeat-period"
    public static let channelType = backport + "backport-channel-type"
    public static let channelTypeSystem = "https://sundhedscloud.dk/fhir/CodeSystem/channel-type"

    public static func parse(_ data: Data) throws(PlatformError) -> SubscriptionRecord {
        let json: JSONValue
        do {
            json = try JSONValue.parse(data)
        } catch {
            throw PlatformError.invalid(Phrase("outcome.subscription-not-json", ["error": .error(error)]))
        }
        guard json["resourceType"]?.stringValue == "Subscription" else {
            throw PlatformError.invalid(Phrase("outcome.subscription-expected"), expression: "Subscription")
        }
        guard let criteria = json["criteria"]?.stringValue, !criteria.isEmpty else {
            throw PlatformError.invalid(Phrase("outcome.subscription-criteria"), expression: "Subscription.criteria")
        }
        guard let topic = EventTopic.named(criteria) else {
            throw PlatformError.invalid(
                Phrase(
                    "outcome.subscription-unknown-topic",
                    ["criteria": .text(criteria), "known": .text(EventTopic.all.map(\.slug).joined(separator: ", "))]),
                expression: "Subscription.criteria")
        }
        var filters: [SubscriptionFilter] = []
        for ext in json["_criteria"]?["extension"]?.listValue ?? [] where ext["url"]?.stringValue == filterCriteria {
            guard let text = ext["valueString"]?.stringValue else {
                throw PlatformError.invalid(Phrase("outcome.subscription-filter-value"))
            }
            filters += try SubscriptionFilter.parse(text, topic: topic)
        }
        let channel = json["channel"] ?? .object([:])
        let type = try channelType(channel)
        let endpoint = channel["endpoint"]?.stringValue
        if type == .restHook {
            guard let endpoint, let url = URL(string: endpoint), ["http", "https"].contains(url.scheme ?? ""),
                url.host != nil
            else {
                throw PlatformError.invalid(
                    Phrase("outcome.subscription-rest-hook-endpoint"), expression: "Subscription.channel.endpoint")
            }
        }
        var payload = SubscriptionRecord.Payload.idOnly
        for ext in channel["_payload"]?["extension"]?.listValue ?? [] where ext["url"]?.stringValue == payloadContent {
            guard let code = ext["valueCode"]?.stringValue, let value = SubscriptionRecord.Payload(rawValue: code) else {
                throw PlatformError.invalid(Phrase("outcome.subscription-payload"), expression: "Subscription.channel.payload")
            }
            payload = value
        }
        var heartbeat: Int?
        for ext in channel["extension"]?.listValue ?? [] where ext["url"]?.stringValue == heartbeatPeriod {
            guard let seconds = ext["valueUnsignedInt"]?.numberValue ?? ext["valueInteger"]?.numberValue, seconds >= 1,
                seconds <= 3600
            else {
                throw PlatformError.invalid(Phrase("outcome.subscription-heartbeat"))
            }
            heartbeat = Int(seconds)
        }
        let status = json["status"]?.stringValue
        guard status == nil || status == "requested" || status == "active" else {
            throw PlatformError.invalid(Phrase("outcome.subscription-new-status", ["found": .found(status)]))
        }
        var bytes = [UInt8](repeating: 0, count: 12)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        return SubscriptionRecord(
            id: "sub-" + bytes.hexString, topic: topic.slug, filters: filters,
            channel: type, endpoint: type == .restHook ? endpoint : nil,
            headers: (channel["header"]?.listValue ?? []).compactMap(\.stringValue), payload: payload,
            heartbeatSeconds: heartbeat, status: .active, owner: ownerTag(json))
    }

    /// Our reuse tag: a `Subscription.reason` that starts with `owner:` (e.g. `owner:akutlaege-herlev`).
    static func ownerTag(_ json: JSONValue) -> String? {
        guard let reason = json["reason"]?.stringValue, reason.hasPrefix("owner:") else { return nil }
        return TextSanitizer.cleanLine(String(reason.dropFirst(6)).trimmingCharacters(in: .whitespaces), maxLength: 120)
    }

    private static func channelType(_ channel: JSONValue) throws(PlatformError) -> SubscriptionRecord.Channel {
        for ext in channel["_type"]?["extension"]?.listValue ?? [] where ext["url"]?.stringValue == channelType {
            if let code = ext["valueCoding"]?["code"]?.stringValue, let type = SubscriptionRecord.Channel(rawValue: code) {
                return type
            }
        }
        let code = channel["type"]?.stringValue ?? ""
        guard let type = SubscriptionRecord.Channel(rawValue: code) else {
            throw PlatformError.invalid(
                Phrase("outcome.subscription-unknown-channel", ["channel": .text(code)]), expression: "Subscription.channel.type"
            )
        }
        return type
    }

    /// The subscription as an R4 backport Subscription resource.
    public static func resource(_ record: SubscriptionRecord) -> JSONValue {
        // Our SSE channel is no R4 code: only the backport-channel-type extension on a `type` with no value names it.
        var channel: JSONObject = [
            "payload": .string("application/fhir+json"),
            "_payload": .object([
                "extension": .array([.object(["url": .string(payloadContent), "valueCode": .string(record.payload.rawValue)])])
            ]),
        ]
        if record.channel != .sse {
            channel["type"] = .string(record.channel.rawValue)
        } else {
            channel["_type"] = .object([
                "extension": .array([
                    .object([
                        "url": .string(channelType),
                        "valueCoding": .object(["system": .string(channelTypeSystem), "code": .string("sse")]),
                    ])
                ])
            ])
        }
        if let endpoint = record.endpoint { channel["endpoint"] = .string(endpoint) }
        if !record.headers.isEmpty { channel["header"] = .array(record.headers.map { .string($0) }) }
        if let heartbeat = record.heartbeatSeconds {
            channel["extension"] = .array([
                .object(["url": .string(heartbeatPeriod), "valueUnsignedInt": .number(Double(heartbeat))])
            ])
        }
        var resource: JSONObject = [
            "resourceType": .string("Subscription"),
            "id": .string(record.id),
            "meta": .object([
                "profile": .array([.string(backport + "backport-subscription")])
            ]),
            "status": .string(record.status.rawValue),
            "reason": .string(record.owner.map { "owner:\($0)" } ?? "Abonnement på \(record.topic)"),
            "criteria": .string(EventTopic.canonicalBase + record.topic),
            "channel": .object(channel),
        ]
        if !record.filters.isEmpty {
            resource["_criteria"] = .object([
                "extension": .array(
                    record.filters.map { .object(["url": .string(filterCriteria), "valueString": .string($0.criteria)]) })
            ])
        }
        if let error = record.error { resource["error"] = .string(error) }
        return .object(resource)
    }
}
