import FHIR
import Foundation

/// One search parameter of a request with its parsed values: a resource matches when any value matches.
struct SearchCriterion: Sendable {
    enum Matcher: Sendable {
        case token(system: String?, code: String?, systemGiven: Bool)
        case tokenText(String)
        case reference(type: String?, id: String)
        case referenceIdentifier(system: String?, value: String)
        case date(prefix: String, low: Date, high: Date)
        case string(String, mode: StringMode)
    }

    enum StringMode: Sendable {
        case prefix, exact, contains
    }

    let definition: SearchParameterDefinition
    let negated: Bool
    /// `:missing=true|false`
    let missing: Bool?
    let matchers: [Matcher]

    func matches(_ values: [SearchValue]) -> Bool {
        if let missing { return values.isEmpty == missing }
        let any = matchers.contains { matcher in values.contains { Self.match(matcher, $0, definition) } }
        return negated ? !any : any
    }

    static func match(_ matcher: Matcher, _ value: SearchValue, _ definition: SearchParameterDefinition) -> Bool {
        switch (matcher, value) {
        case (.token(let system, let code, let systemGiven), .token(let valueSystem, let valueCode, _)):
            if let code, code != valueCode { return false }
            if systemGiven {
                // "|code" means: no system; "system|code" and "system|" need that system.
                return system == nil ? valueSystem == nil : valueSystem == system
            }
            return true
        case (.tokenText(let text), .token(_, _, let valueText)):
            return valueText.map { SearchValue.fold($0).hasPrefix(text) } ?? false
        case (.reference(let type, let id), .reference(let valueType, let valueID, _, _)):
            guard let valueID, valueID == id else { return false }
            let expected = type ?? definition.targetType
            return expected == nil || valueType == nil || valueType == expected
        case (.referenceIdentifier(let system, let identifierValue), .reference(_, _, let valueSystem, let valueValue)):
            return valueValue == identifierValue && (system == nil || system == valueSystem)
        case (.date(let prefix, let low, let high), .date(let valueLow, let valueHigh)):
            switch prefix {
            case "eq": return valueLow >= low && valueHigh <= high
            case "ne": return !(valueLow >= low && valueHigh <= high)
            case "gt": return valueHigh > high
            case "lt": return valueLow < low
            case "ge": return valueHigh > low
            case "le": return valueLow < high
            case "sa": return valueLow >= high
            case "eb": return valueHigh <= low
            default: return valueLow < high && valueHigh > low  // ap: overlaps
            }
        case (.string(let text, let mode), .string(let valueText)):
            switch mode {
            case .prefix: return valueText.hasPrefix(text) || valueText.split(separator: " ").contains { $0.hasPrefix(text) }
            case .exact: return valueText == text
            case .contains: return valueText.contains(text)
            }
        default:
            return false
        }
    }
}
