import FHIR
import Words

/// One filter of a subscription: all filters must match (logical AND, as in the backport IG); within one filter any
/// of the values may match.
public struct SubscriptionFilter: Sendable, Hashable, Codable {
    public enum Key: String, Sendable, Hashable, Codable, CaseIterable {
        case patient, organization, municipality, code
    }

    public let key: Key
    public let values: [String]

    public init(key: Key, values: [String]) {
        self.key = key
        self.values = values
    }

    /// True if the event passes this filter.
    public func matches(_ event: EventRecord) -> Bool {
        switch key {
        case .patient: return event.patientCPR.map(values.contains) ?? false
        case .organization: return event.organization.map(values.contains) ?? false
        case .municipality: return event.municipality.map(values.contains) ?? false
        case .code: return values.contains(event.code.rawValue) || values.contains(event.code.base.rawValue)
        }
    }

    /// The filter as backport filter criteria text (`patient=2509479989,0201609995`).
    public var criteria: String {
        "\(key.rawValue)=\(values.joined(separator: ","))"
    }

    /// Parses `Encounter?patient=2509479989`, `patient:identifier=urn:oid:1.2.208.176.1.2|2509479989`,
    /// `organization=953741000016013`, `municipality=0163`, `code=STAA,RE_STAA`; several joined by `&` are allowed.
    public static func parse(_ text: String, topic: EventTopic) throws(PlatformError) -> [SubscriptionFilter] {
        var query = Substring(text.trimmingCharacters(in: .whitespaces))
        if let mark = query.firstIndex(of: "?") { query = query[query.index(after: mark)...] }
        var filters: [SubscriptionFilter] = []
        for pair in query.split(separator: "&") where !pair.isEmpty {
            guard pair.contains("=") else {
                throw PlatformError.invalid(Phrase("outcome.filter-no-equals", ["filter": .text(String(pair))]))
            }
            guard let parsed = QueryString.parse(String(pair)).first else { continue }
            var name = parsed.name
            let raw = parsed.value
            if let colon = name.firstIndex(of: ":") { name = String(name[..<colon]) }
            guard let key = Key(rawValue: name), topic.filters.contains(name) else {
                throw PlatformError.invalid(
                    Phrase(
                        "outcome.filter-unknown",
                        [
                            "name": .text(name), "topic": .text(topic.slug),
                            "allowed": .text(topic.filters.joined(separator: ", ")),
                        ]),
                    expression: "Subscription.criteria.extension")
            }
            var values: [String] = []
            for item in raw.split(separator: ",") { values.append(try normalize(String(item), key: key)) }
            guard !values.isEmpty else { throw PlatformError.invalid(Phrase("outcome.filter-no-value", ["name": .text(name)])) }
            filters.append(SubscriptionFilter(key: key, values: values))
        }
        return filters
    }

    /// ASCII digits only: `Character.isNumber` also takes "½", "٣" and a digit with a combining mark ("5̱"), which
    /// no SOR code, ydernummer or municipality code has.
    private static func isDigits(_ text: String) -> Bool {
        text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    private static func normalize(_ value: String, key: Key) throws(PlatformError) -> String {
        var text = value.trimmingCharacters(in: .whitespaces)
        if let bar = text.lastIndex(of: "|") { text = String(text[text.index(after: bar)...]) }
        switch key {
        case .patient:
            guard let cpr = try? CPRNumber(text) else {
                throw PlatformError.invalid(Phrase("outcome.filter-not-cpr", ["value": .text(value)]))
            }
            return cpr.value
        case .organization:
            guard !text.isEmpty, isDigits(text) else {
                throw PlatformError.invalid(Phrase("outcome.filter-not-organisation", ["value": .text(value)]))
            }
            return text
        case .municipality:
            guard text.utf8.count == 4, isDigits(text) else {
                throw PlatformError.invalid(Phrase("outcome.filter-not-municipality", ["value": .text(value)]))
            }
            return text
        case .code:
            let code = EventCode(rawValue: text.uppercased())
            guard EventCode.all.contains(code) else {
                throw PlatformError.invalid(Phrase("outcome.filter-unknown-event-code", ["value": .text(value)]))
            }
            return code.rawValue
        }
    }
}
