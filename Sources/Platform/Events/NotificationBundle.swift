import FHIR
import Foundation
import Synchronization

/// Builds the notification bundles the engine sends to subscribers: R4 backport form, a `history` Bundle whose first
/// entry is a `Parameters` status, then one entry per event's focus (a `fullUrl` for id-only, the resource too for
/// full-resource, nothing for empty).
public enum NotificationBundle {
    public static let eventCodeExtension = "https://sundhedscloud.dk/fhir/StructureDefinition/event-code"
    public static let sourceExtension = "https://sundhedscloud.dk/fhir/StructureDefinition/event-source"
    public static let municipalityExtension = "https://sundhedscloud.dk/fhir/StructureDefinition/event-municipality"

    /// - Parameters:
    ///   - engineBase: the engine's own base URL, for the `subscription` reference.
    ///   - resources: focus resources by focus URL, for full-resource payloads.
    public static func build(
        subscription: SubscriptionRecord, type: String, eventsSinceStart: Int64, events: [NumberedEvent],
        engineBase: String, resources: [String: JSONValue] = [:], now: Date = Date(), ids: (String, String)? = nil
    ) -> JSONValue {
        var parameters: [JSONValue] = [
            .object([
                "name": .string("subscription"),
                "valueReference": .object(["reference": .string("\(engineBase)/Subscription/\(subscription.id)")]),
            ]),
            .object(["name": .string("topic"), "valueCanonical": .string(EventTopic.canonicalBase + subscription.topic)]),
            .object(["name": .string("status"), "valueCode": .string(subscription.status.rawValue)]),
            .object(["name": .string("type"), "valueCode": .string(type)]),
            .object(["name": .string("events-since-subscription-start"), "valueString": .string(String(eventsSinceStart))]),
        ]
        if let error = subscription.error, subscription.status == .error {
            parameters.append(
                .object([
                    "name": .string("error"),
                    "valueCodeableConcept": .object(["text": .string(error)]),
                ]))
        }
        var entries: [JSONValue] = []
        for numbered in events {
            parameters.append(notificationEvent(numbered, payload: subscription.payload))
            guard subscription.payload != .empty else { continue }
            var entry: JSONObject = [
                "fullUrl": .string(numbered.event.focus),
                "request": .object(["method": .string("PUT"), "url": .string(relative(numbered.event.focus))]),
                "response": .object(["status": .string("200")]),
            ]
            if subscription.payload == .fullResource, let resource = resources[numbered.event.focus] {
                entry["resource"] = resource
            }
            entries.append(.object(entry))
        }
        let status: JSONValue = .object([
            "resourceType": .string("Parameters"),
            "id": .string(ids?.1 ?? UUID().uuidString.lowercased()),
            "meta": .object([
                "profile": .array([
                    .string("http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-status-r4")
                ])
            ]),
            "parameter": .array(parameters),
        ])
        let first: JSONValue = .object([
            "fullUrl": .string("urn:uuid:\(UUID().uuidString.lowercased())"),
            "resource": status,
            "request": .object(["method": .string("GET"), "url": .string("Subscription/\(subscription.id)/$status")]),
            "response": .object(["status": .string("200")]),
        ])
        return .object([
            "resourceType": .string("Bundle"),
            "id": .string(ids?.0 ?? UUID().uuidString.lowercased()),
            "meta": .object([
                "profile": .array([
                    .string(
                        "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-subscription-notification-r4")
                ])
            ]),
            "type": .string("history"),
            "timestamp": .string(FHIRDateTime(date: now, precision: .fraction).text),
            "entry": .array([first] + entries),
        ])
    }

    // MARK: One event, fast

    private static let subscriptionMark = "SUBSCRIPTIONMARKQX"
    private static let topicMark = "TOPICMARKQX"
    private static let numberSentinel = Int64.min + 7
    private static let templates = Mutex<[String: LineTemplate]>([:])

    /// The event-notification bundle of one event for one subscription, as one line of JSON. Live channels send
    /// each event to many subscriptions: the bundle is built once per event and payload kind, and only the
    /// subscription's id, topic and number are put in for each. Full-resource payloads and subscriptions not
    /// active take the ordinary path.
    public static func line(subscription: SubscriptionRecord, numbered: NumberedEvent, engineBase: String) -> String {
        guard subscription.status == .active, subscription.payload != .fullResource, let eventID = numbered.event.id else {
            return build(
                subscription: subscription, type: "event-notification", eventsSinceStart: numbered.number,
                events: [numbered], engineBase: engineBase, now: numbered.event.accepted
            ).serializedString()
        }
        let key = "\(eventID)|\(subscription.payload.rawValue)|\(engineBase)"
        let template =
            templates.withLock { $0[key] }
            ?? {
                var placeholder = subscription
                placeholder.id = subscriptionMark
                placeholder.topic = topicMark
                let sentinel = String(numberSentinel)
                let text = build(
                    subscription: placeholder, type: "event-notification", eventsSinceStart: numberSentinel,
                    events: [NumberedEvent(number: numberSentinel, event: numbered.event)], engineBase: engineBase,
                    now: numbered.event.accepted,
                    ids: ("n-\(subscriptionMark)-\(sentinel)", "s-\(subscriptionMark)-\(sentinel)")
                ).serializedString()
                let template = LineTemplate(
                    text, marks: [(subscriptionMark, .subscription), (topicMark, .topic), (sentinel, .number)])
                templates.withLock { cache in
                    if cache.count > 4096 { cache.removeAll() }
                    cache[key] = template
                }
                return template
            }()
        return template.fill(subscription: subscription.id, topic: subscription.topic, number: String(numbered.number))
    }

    /// A serialized bundle cut at its placeholders once, so each subscription's copy is a few appends, not a search.
    struct LineTemplate: Sendable {
        enum Slot: Sendable {
            case subscription, topic, number
        }

        private(set) var pieces: [String] = []
        private(set) var slots: [Slot] = []
        private let length: Int

        init(_ text: String, marks: [(String, Slot)]) {
            let bytes = Array(text.utf8)
            let patterns = marks.map { (Array($0.0.utf8), $0.1) }
            var start = 0
            var index = 0
            scan: while index < bytes.count {
                for (pattern, slot) in patterns
                where bytes[index] == pattern[0] && index + pattern.count <= bytes.count
                    && bytes[index..<(index + pattern.count)].elementsEqual(pattern)
                {
                    pieces.append(String(decoding: bytes[start..<index], as: UTF8.self))
                    slots.append(slot)
                    index += pattern.count
                    start = index
                    continue scan
                }
                index += 1
            }
            pieces.append(String(decoding: bytes[start...], as: UTF8.self))
            length = bytes.count
        }

        func fill(subscription: String, topic: String, number: String) -> String {
            var out = ""
            out.reserveCapacity(length + slots.count * 40)
            for (index, piece) in pieces.enumerated() {
                out += piece
                guard index < slots.count else { break }
                switch slots[index] {
                case .subscription: out += subscription
                case .topic: out += topic
                case .number: out += number
                }
            }
            return out
        }
    }

    private static func notificationEvent(_ numbered: NumberedEvent, payload: SubscriptionRecord.Payload) -> JSONValue {
        let event = numbered.event
        var parts: [JSONValue] = [
            .object(["name": .string("event-number"), "valueString": .string(String(numbered.number))]),
            .object([
                "name": .string("timestamp"),
                "valueInstant": .string(FHIRDateTime(date: event.occurred, precision: .fraction).text),
            ]),
        ]
        if payload != .empty {
            parts.append(.object(["name": .string("focus"), "valueReference": .object(["reference": .string(event.focus)])]))
        }
        if let cpr = event.patientCPR {
            parts.append(
                .object([
                    "name": .string("additional-context"),
                    "valueReference": .object([
                        "type": .string("Patient"),
                        "identifier": .object(["system": .string(DanishSystems.cpr), "value": .string(cpr)]),
                    ]),
                ]))
        }
        if let organization = event.organization {
            var reference: JSONObject = [
                "type": .string("Organization"),
                "identifier": .object([
                    "system": .string(organization.count == 6 ? DanishSystems.ydernummer : DanishSystems.sor),
                    "value": .string(organization),
                ]),
            ]
            if let name = event.organizationName { reference["display"] = .string(name) }
            parts.append(.object(["name": .string("additional-context"), "valueReference": .object(reference)]))
        }
        var extensions: [JSONValue] = [
            .object([
                "url": .string(eventCodeExtension),
                "valueCoding": .object(["system": .string(EventCode.system), "code": .string(event.code.rawValue)]),
            ]),
            .object(["url": .string(sourceExtension), "valueId": .string(event.sourceID)]),
        ]
        if let municipality = event.municipality {
            extensions.append(.object(["url": .string(municipalityExtension), "valueCode": .string(municipality)]))
        }
        return .object([
            "name": .string("notification-event"),
            "extension": .array(extensions),
            "part": .array(parts),
        ])
    }

    /// `Encounter/123` of `http://host/fhir/Encounter/123`.
    static func relative(_ url: String) -> String {
        let parts = url.split(separator: "/")
        guard parts.count >= 2 else { return url }
        return parts.suffix(2).joined(separator: "/")
    }
}
