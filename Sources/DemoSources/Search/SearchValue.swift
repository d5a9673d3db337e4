import FHIR
import Foundation

/// A value of a resource, extracted once when the resource is stored, that searches compare against.
public enum SearchValue: Sendable, Hashable {
    case token(system: String?, code: String, text: String?)
    case reference(type: String?, id: String?, identifierSystem: String?, identifierValue: String?)
    /// [low, high): the instants the value covers.
    case date(low: Date, high: Date)
    /// Folded for case- and accent-insensitive comparison.
    case string(String)

    /// Case and accents ignored, and the Danish letters written as on a keyboard without them (ø → o, æ → ae,
    /// å → a), so "frolund" finds Frølund and "soren" finds Søren.
    static func fold(_ text: String) -> String { NameMatch.fold(text) }

    /// The values of `definition` in `resource`.
    static func extract(_ definition: SearchParameterDefinition, from resource: JSONValue) -> [SearchValue] {
        var leaves: [JSONValue] = []
        for path in definition.paths {
            collect(resource, path.split(separator: ".").map(String.init)[...], into: &leaves)
        }
        var values: [SearchValue] = []
        for leaf in leaves {
            switch definition.type {
            case .token: values += tokens(leaf)
            case .reference: values += references(leaf)
            case .date: values += dates(leaf)
            case .string: values += strings(leaf)
            }
        }
        return values
    }

    private static func collect(_ value: JSONValue, _ path: ArraySlice<String>, into leaves: inout [JSONValue]) {
        if case .array(let items) = value {
            for item in items { collect(item, path, into: &leaves) }
            return
        }
        guard let key = path.first else {
            leaves.append(value)
            return
        }
        if let child = value[key] {
            collect(child, path.dropFirst(), into: &leaves)
        }
    }

    private static func tokens(_ value: JSONValue) -> [SearchValue] {
        switch value {
        case .string(let code): return [.token(system: nil, code: code, text: nil)]
        case .bool(let flag): return [.token(system: nil, code: flag ? "true" : "false", text: nil)]
        case .object(let members):
            if let codings = members["coding"]?.arrayValue {
                let text = members["text"]?.stringValue
                var result = codings.compactMap { coding -> SearchValue? in
                    guard let code = coding["code"]?.stringValue else { return nil }
                    return .token(
                        system: coding["system"]?.stringValue, code: code, text: text ?? coding["display"]?.stringValue)
                }
                if result.isEmpty, let text { result.append(.token(system: nil, code: "", text: text)) }
                return result
            }
            if let code = members["code"]?.stringValue {
                return [.token(system: members["system"]?.stringValue, code: code, text: members["display"]?.stringValue)]
            }
            if let identifierValue = members["value"]?.stringValue {
                return [.token(system: members["system"]?.stringValue, code: identifierValue, text: nil)]
            }
            return []
        default:
            return []
        }
    }

    private static func references(_ value: JSONValue) -> [SearchValue] {
        guard case .object = value else { return [] }
        var type: String?
        var id: String?
        if let text = value["reference"]?.stringValue, let target = Reference(reference: text).target {
            type = target.type
            id = target.id
        }
        let identifier = value["identifier"]
        let system = identifier?["system"]?.stringValue
        let identifierValue = identifier?["value"]?.stringValue
        if type == nil, let declared = value["type"]?.stringValue { type = declared }
        guard id != nil || identifierValue != nil else { return [] }
        return [.reference(type: type, id: id, identifierSystem: system, identifierValue: identifierValue)]
    }

    private static func dates(_ value: JSONValue) -> [SearchValue] {
        switch value {
        case .string(let text):
            guard let date = try? FHIRDateTime(text) else { return [] }
            return [.date(low: date.lowerBound, high: date.upperBound)]
        case .object(let members):
            let start = members["start"]?.stringValue.flatMap { try? FHIRDateTime($0) }
            let end = members["end"]?.stringValue.flatMap { try? FHIRDateTime($0) }
            guard start != nil || end != nil else { return [] }
            return [.date(low: start?.lowerBound ?? .distantPast, high: end?.upperBound ?? .distantFuture)]
        default:
            return []
        }
    }

    private static func strings(_ value: JSONValue) -> [SearchValue] {
        switch value {
        case .string(let text): return [.string(fold(text))]
        case .object(let members):
            var parts: [String] = []
            if let family = members["family"]?.stringValue { parts.append(family) }
            parts += (members["given"]?.arrayValue ?? []).compactMap(\.stringValue)
            if let text = members["text"]?.stringValue { parts.append(text) }
            // Each word of a double name or a text too: "øster" finds "Kjærgaard-Østergaard" (a string search
            // matches the start of a value; here every word of a name is a value).
            let words = parts.flatMap(NameMatch.words).filter { word in !parts.contains { fold($0) == word } }
            return (parts.map(fold) + words).map { .string($0) }
        default:
            return []
        }
    }

    /// A key to sort by: dates by their start, the rest by text.
    var sortKey: SortKey {
        switch self {
        case .date(let low, _): return .date(low)
        case .string(let text): return .text(text)
        case .token(_, let code, _): return .text(code)
        case .reference(let type, let id, _, let value): return .text("\(type ?? "")/\(id ?? value ?? "")")
        }
    }

    enum SortKey: Comparable, Sendable {
        case date(Date)
        case text(String)
    }
}
