import FHIR
import Foundation
import Words

/// One event as a subscriber sees it: its number in the subscription, what happened (MedCom or our code), to whom
/// (CPR), where, and where the changed data lives at the source.
public struct EventNotification: Sendable, Equatable {
    public let subscriptionID: String
    public let number: Int64
    public let timestamp: Date?
    /// `STAA`, `RE_STAA`, `lab-result`, ...
    public let code: String
    public let topic: String?
    /// Absolute URL of the changed resource at the source.
    public let focus: String?
    public let sourceID: String?
    public let cpr: CPRNumber?
    public let organization: String?
    public let organizationName: String?
    public let municipality: String?

    public init(
        subscriptionID: String, number: Int64, timestamp: Date?, code: String, topic: String?, focus: String?,
        sourceID: String?, cpr: CPRNumber?, organization: String?, organizationName: String?, municipality: String?
    ) {
        self.subscriptionID = subscriptionID
        self.number = number
        self.timestamp = timestamp
        self.code = code
        self.topic = topic
        self.focus = focus
        self.sourceID = sourceID
        self.cpr = cpr
        self.organization = organization
        self.organizationName = organizationName
        self.municipality = municipality
    }

    static let eventCodeExtension = "https://sundhedscloud.dk/fhir/StructureDefinition/event-code"
    static let sourceExtension = "https://sundhedscloud.dk/fhir/StructureDefinition/event-source"
    static let municipalityExtension = "https://sundhedscloud.dk/fhir/StructureDefinition/event-municipality"

    /// The events of a notification bundle (R4 `Parameters` form, or R4B `SubscriptionStatus`), with the bundle's
    /// type and `events-since-subscription-start`.
    public static func parse(bundle data: Data) throws -> (type: String, eventsSinceStart: Int64?, events: [EventNotification]) {
        let json = try JSONValue.parse(data)
        guard json["resourceType"]?.stringValue == "Bundle", let status = json["entry"]?.listValue.first?["resource"] else {
            throw EventStreamError(Phrase("event-stream.not-bundle"))
        }
        if status["resourceType"]?.stringValue == "SubscriptionStatus" {
            return parseR4B(status)
        }
        guard status["resourceType"]?.stringValue == "Parameters" else {
            throw EventStreamError(Phrase("event-stream.status-form"))
        }
        let parameters = status["parameter"]?.listValue ?? []
        func value(_ name: String) -> JSONValue? { parameters.first { $0["name"]?.stringValue == name } }
        let type = value("type")?["valueCode"]?.stringValue ?? ""
        let subscription = value("subscription")?["valueReference"]?["reference"]?.stringValue.map(lastComponent) ?? ""
        let topic = value("topic")?["valueCanonical"]?.stringValue.map(lastComponent)
        let since = value("events-since-subscription-start").flatMap { integer($0) }
        var events: [EventNotification] = []
        for parameter in parameters where parameter["name"]?.stringValue == "notification-event" {
            let parts = parameter["part"]?.listValue ?? []
            func part(_ name: String) -> JSONValue? { parts.first { $0["name"]?.stringValue == name } }
            guard let number = part("event-number").flatMap({ integer($0) }) else { continue }
            var cpr: CPRNumber?
            var organization: String?
            var organizationName: String?
            for context in parts where context["name"]?.stringValue == "additional-context" {
                let reference = context["valueReference"] ?? .null
                let identifier = reference["identifier"]
                switch identifier?["system"]?.stringValue {
                case DanishSystems.cpr: cpr = identifier?["value"]?.stringValue.flatMap { try? CPRNumber($0) }
                case DanishSystems.sor, DanishSystems.ydernummer:
                    organization = identifier?["value"]?.stringValue
                    organizationName = reference["display"]?.stringValue
                default: break
                }
            }
            let extensions = parameter["extension"]?.listValue ?? []
            func ext(_ url: String) -> JSONValue? { extensions.first { $0["url"]?.stringValue == url } }
            events.append(
                EventNotification(
                    subscriptionID: subscription, number: number,
                    timestamp: part("timestamp")?["valueInstant"]?.stringValue.flatMap { try? FHIRDateTime($0) }?.lowerBound,
                    code: ext(eventCodeExtension)?["valueCoding"]?["code"]?.stringValue ?? "ukendt", topic: topic,
                    focus: part("focus")?["valueReference"]?["reference"]?.stringValue,
                    sourceID: ext(sourceExtension)?["valueId"]?.stringValue, cpr: cpr, organization: organization,
                    organizationName: organizationName, municipality: ext(municipalityExtension)?["valueCode"]?.stringValue))
        }
        return (type, since, events)
    }

    private static func parseR4B(_ status: JSONValue) -> (type: String, eventsSinceStart: Int64?, events: [EventNotification]) {
        let subscription = status["subscription"]?["reference"]?.stringValue.map(lastComponent) ?? ""
        let topic = status["topic"]?.stringValue.map(lastComponent)
        let events = (status["notificationEvent"]?.listValue ?? []).compactMap { event -> EventNotification? in
            guard let number = event["eventNumber"]?.stringValue.flatMap({ Int64($0) }) else { return nil }
            return EventNotification(
                subscriptionID: subscription, number: number,
                timestamp: event["timestamp"]?.stringValue.flatMap { try? FHIRDateTime($0) }?.lowerBound, code: "ukendt",
                topic: topic, focus: event["focus"]?["reference"]?.stringValue, sourceID: nil, cpr: nil, organization: nil,
                organizationName: nil, municipality: nil)
        }
        return (
            status["type"]?.stringValue ?? "", status["eventsSinceSubscriptionStart"]?.stringValue.flatMap { Int64($0) },
            events
        )
    }

    private static func integer(_ parameter: JSONValue) -> Int64? {
        if let text = parameter["valueString"]?.stringValue ?? parameter["valueInteger64"]?.stringValue { return Int64(text) }
        for key in ["valueUnsignedInt", "valueInteger", "valuePositiveInt"] {
            // Exactly: `Int64(1e19)` traps, and a notification must not crash its reader.
            if let number = parameter[key]?.numberValue { return Int64(exactly: number) }
        }
        return nil
    }

    private static func lastComponent(_ text: String) -> String {
        guard let slash = text.utf8.lastIndex(of: UInt8(ascii: "/")) else { return text }
        return String(text[text.utf8.index(after: slash)...])
    }
}

/// Something the event stream could not do, in words a user can act on.
/// Why the event stream could not be set up or read, not yet in any language (`event-stream.*`).
public struct EventStreamError: Error, CustomStringConvertible, Sendable, Phrased {
    public let phrase: Phrase

    public init(_ phrase: Phrase) {
        self.phrase = phrase
    }

    public var description: String { Catalog.danish.text(phrase) }
}

extension Phrase {
    /// An OperationOutcome's first issue as a phrase: its Danish diagnostics and, when the engine gave one, its
    /// English details.text (cleaned: a server's words may hold anything); nil when the body is no outcome.
    static func outcome(_ json: JSONValue?) -> Phrase? {
        guard let issue = json?["issue"]?.listValue.first, let danish = issue["diagnostics"]?.stringValue else { return nil }
        let english = issue["details"]?["text"]?.stringValue
        return .translated(
            danish: TextSanitizer.cleanLine(danish, maxLength: 300),
            english: english.map { TextSanitizer.cleanLine($0, maxLength: 300) })
    }
}
