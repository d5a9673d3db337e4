import FHIR
import Foundation
import Words

/// A subscription notification as a source delivered it, in either backport form: the R4 `Parameters` status or
/// the R4B `SubscriptionStatus` status as the first entry of a `history` bundle. References may be absolute or
/// relative; payloads may be `empty`, `id-only` or `full-resource`.
public struct IncomingNotification: Sendable {
    public struct Event: Sendable {
        public var number: Int64?
        public var timestamp: Date?
        public var focus: String?
        public var additionalContext: [String]
    }

    public var subscription: String?
    public var topic: String?
    /// handshake | heartbeat | event-notification | query-status | query-event
    public var type: String
    public var events: [Event]
    /// Resources carried in the bundle, by `fullUrl` and by `Type/id`.
    public var resources: [String: JSONValue]

    public var carriesEvents: Bool { type == "event-notification" || type == "query-event" }

    static let types: Set<String> = ["handshake", "heartbeat", "event-notification", "query-status", "query-event"]

    /// Reads a notification bundle; a clear error names what is wrong.
    public static func parse(_ data: Data) throws(PlatformError) -> IncomingNotification {
        let json: JSONValue
        do {
            json = try JSONValue.parse(data)
        } catch {
            throw PlatformError.invalid(Phrase("outcome.notification-not-json", ["error": .error(error)]))
        }
        guard json["resourceType"]?.stringValue == "Bundle" else {
            throw PlatformError.invalid(
                Phrase("outcome.notification-not-bundle", ["found": .found(json["resourceType"]?.stringValue)]),
                expression: "Bundle")
        }
        let bundleType = json["type"]?.stringValue ?? ""
        guard bundleType == "history" || bundleType == "subscription-notification" else {
            throw PlatformError.invalid(
                Phrase("outcome.notification-bundle-type", ["found": .found(bundleType)]), expression: "Bundle.type")
        }
        let entries = json["entry"]?.listValue ?? []
        guard let first = entries.first?["resource"] else {
            throw PlatformError.invalid(Phrase("outcome.notification-no-status"), expression: "Bundle.entry[0]")
        }
        var notification: IncomingNotification
        switch first["resourceType"]?.stringValue {
        case "Parameters": notification = try parameters(first)
        case "SubscriptionStatus": notification = try subscriptionStatus(first)
        case let other:
            throw PlatformError.invalid(
                Phrase("outcome.notification-first-entry", ["found": .found(other)]), expression: "Bundle.entry[0].resource")
        }
        var resources: [String: JSONValue] = [:]
        var bare: [String] = []
        for entry in entries.dropFirst() {
            let fullUrl = entry["fullUrl"]?.stringValue
            if let resource = entry["resource"], case .object = resource {
                if let fullUrl { resources[fullUrl] = resource }
                if let type = resource["resourceType"]?.stringValue, let id = resource["id"]?.stringValue {
                    resources["\(type)/\(id)"] = resource
                }
            }
            if let fullUrl { bare.append(fullUrl) }
        }
        notification.resources = resources
        // Some servers send the changed resources as entries without notification-event parts.
        if notification.carriesEvents, notification.events.isEmpty {
            notification.events = bare.map { Event(number: nil, timestamp: nil, focus: $0, additionalContext: []) }
        }
        return notification
    }

    private static func parameters(_ resource: JSONValue) throws(PlatformError) -> IncomingNotification {
        let parameters = resource["parameter"]?.listValue ?? []
        func named(_ name: String) -> [JSONValue] { parameters.filter { $0["name"]?.stringValue == name } }
        let type = named("type").first.flatMap(stringValue)
        guard let type, types.contains(type) else {
            throw PlatformError.invalid(Phrase("outcome.notification-parameters-type"), expression: "Parameters.parameter.type")
        }
        var events: [Event] = []
        for part in named("notification-event") {
            let parts = part["part"]?.listValue ?? []
            func partValue(_ name: String) -> JSONValue? { parts.first { $0["name"]?.stringValue == name } }
            let number = try partValue("event-number").map { value throws(PlatformError) -> Int64 in
                guard let number = integerValue(value) else {
                    throw PlatformError.invalid(
                        Phrase("outcome.number", ["name": .text("event-number")]), expression: "notification-event.event-number")
                }
                return number
            }
            events.append(
                Event(
                    number: number, timestamp: partValue("timestamp").flatMap(stringValue).flatMap(date),
                    focus: partValue("focus")?["valueReference"]?["reference"]?.stringValue,
                    additionalContext: parts.filter { $0["name"]?.stringValue == "additional-context" }.compactMap {
                        $0["valueReference"]?["reference"]?.stringValue
                    }))
        }
        return IncomingNotification(
            subscription: named("subscription").first?["valueReference"]?["reference"]?.stringValue,
            topic: named("topic").first.flatMap(stringValue), type: type, events: events, resources: [:])
    }

    private static func subscriptionStatus(_ resource: JSONValue) throws(PlatformError) -> IncomingNotification {
        guard let type = resource["type"]?.stringValue, types.contains(type) else {
            throw PlatformError.invalid(Phrase("outcome.notification-status-type"), expression: "SubscriptionStatus.type")
        }
        var events: [Event] = []
        for event in resource["notificationEvent"]?.listValue ?? [] {
            var number: Int64?
            if let value = event["eventNumber"] {
                // Exactly: `Int64(1e300)` traps (a source could stop the node with one notification), 2.5 is no number.
                guard let parsed = value.stringValue.flatMap({ Int64($0) }) ?? value.numberValue.flatMap({ Int64(exactly: $0) })
                else {
                    throw PlatformError.invalid(
                        Phrase("outcome.number", ["name": .text("eventNumber")]),
                        expression: "SubscriptionStatus.notificationEvent")
                }
                number = parsed
            }
            events.append(
                Event(
                    number: number, timestamp: event["timestamp"]?.stringValue.flatMap(date),
                    focus: event["focus"]?["reference"]?.stringValue,
                    additionalContext: (event["additionalContext"]?.listValue ?? []).compactMap { $0["reference"]?.stringValue }))
        }
        return IncomingNotification(
            subscription: resource["subscription"]?["reference"]?.stringValue, topic: resource["topic"]?.stringValue,
            type: type, events: events, resources: [:])
    }

    private static func stringValue(_ parameter: JSONValue) -> String? {
        for key in ["valueCode", "valueString", "valueCanonical", "valueUri", "valueUrl", "valueInstant", "valueDateTime"] {
            if let text = parameter[key]?.stringValue { return text }
        }
        return nil
    }

    private static func integerValue(_ parameter: JSONValue) -> Int64? {
        for key in ["valueString", "valueInteger64"] {
            if let text = parameter[key]?.stringValue { return Int64(text) }
        }
        for key in ["valueUnsignedInt", "valuePositiveInt", "valueInteger", "valueDecimal"] {
            if let number = parameter[key]?.numberValue, let exact = Int64(exactly: number) { return exact }
        }
        return nil
    }

    static func date(_ text: String) -> Date? {
        (try? FHIRDateTime(text))?.lowerBound
    }
}
