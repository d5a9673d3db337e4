import FHIR
import Foundation

/// A parsed FHIR search: the criteria (all must match) and the result controls. Unknown parameters are an error
/// unless the client sent `Prefer: handling=lenient`, in which case they are ignored and reported as warnings.
struct SearchRequest: Sendable {
    static let defaultCount = 50
    static let maxCount = 1000

    let resourceType: String
    var criteria: [SearchCriterion] = []
    var count = SearchRequest.defaultCount
    var offset = 0
    var sort: [(definition: SearchParameterDefinition, descending: Bool)] = []
    var summaryCount = false
    var warnings: [String] = []

    /// Parameters that only steer the result and are carried into paging links.
    static let controlParameters: Set<String> = ["_count", "_offset", "_sort", "_summary", "_total", "_format"]

    init(resourceType: String, items: [(name: String, value: String)], lenient: Bool) throws(FHIRError) {
        self.resourceType = resourceType
        for (rawName, value) in items {
            let nameParts = rawName.split(separator: ":", maxSplits: 1).map(String.init)
            let name = nameParts.first ?? rawName
            let modifier = nameParts.count > 1 ? nameParts[1] : nil
            switch name {
            case "_count":
                guard let n = Int(value), n >= 0 else {
                    throw .invalid("_count skal være et ikke-negativt heltal, ikke '\(value)'", parameter: "_count")
                }
                count = min(n, Self.maxCount)
                if n == 0 { summaryCount = true }
            case "_offset":
                guard let n = Int(value), n >= 0 else {
                    throw .invalid("_offset skal være et ikke-negativt heltal, ikke '\(value)'", parameter: "_offset")
                }
                offset = n
            case "_summary":
                switch value {
                case "count": summaryCount = true
                case "false", "data": break
                default: throw .notSupported("_summary=\(value) understøttes ikke (kun count, data og false)")
                }
            case "_total":
                guard ["none", "estimate", "accurate"].contains(value) else {
                    throw .invalid("_total skal være none, estimate eller accurate", parameter: "_total")
                }
            case "_format":
                guard ["json", "application/json", "application/fhir+json"].contains(value) else {
                    throw FHIRError(status: 406, code: "not-supported", "Kun JSON understøttes (_format=\(value))")
                }
            case "_sort":
                for key in value.split(separator: ",").map(String.init) {
                    let descending = key.hasPrefix("-")
                    let keyName = descending ? String(key.dropFirst()) : key
                    guard let definition = SearchParameterRegistry.parameter(keyName, for: resourceType) else {
                        throw .invalid(
                            "Kan ikke sortere \(resourceType) efter '\(keyName)': ukendt søgeparameter", parameter: "_sort")
                    }
                    sort.append((definition, descending))
                }
            default:
                guard let definition = SearchParameterRegistry.parameter(name, for: resourceType) else {
                    if name.hasPrefix("_")
                        && [
                            "_include", "_revinclude", "_elements", "_contained", "_has", "_text", "_content", "_list", "_query",
                            "_filter",
                        ].contains(name)
                    {
                        if lenient {
                            warnings.append("\(name) understøttes ikke og blev ignoreret")
                            continue
                        }
                        throw .notSupported("\(name) understøttes ikke af denne kilde")
                    }
                    if lenient {
                        warnings.append("Ukendt søgeparameter '\(name)' for \(resourceType) blev ignoreret")
                        continue
                    }
                    let known = SearchParameterRegistry.parameters(for: resourceType).map(\.name).joined(separator: ", ")
                    throw .invalid("Ukendt søgeparameter '\(name)' for \(resourceType). Kendte: \(known)", parameter: name)
                }
                criteria.append(try Self.criterion(definition, modifier: modifier, value: value))
            }
        }
    }

    /// Splits on commas that are not escaped (`\,`).
    static func splitValues(_ value: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaped = false
        for char in value {
            if escaped {
                current.append(char)
                escaped = false
            } else if char == "\\" {
                escaped = true
            } else if char == "," {
                parts.append(current)
                current = ""
            } else {
                current.append(char)
            }
        }
        parts.append(current)
        return parts
    }

    static func criterion(
        _ definition: SearchParameterDefinition, modifier: String?, value: String
    ) throws(FHIRError) -> SearchCriterion {
        let name = definition.name
        if modifier == "missing" {
            guard value == "true" || value == "false" else {
                throw .invalid("\(name):missing skal være true eller false", parameter: name)
            }
            return SearchCriterion(definition: definition, negated: false, missing: value == "true", matchers: [])
        }
        let values = splitValues(value)
        guard !values.contains(where: \.isEmpty) else {
            throw .invalid("Søgeparameteren \(name) mangler en værdi", parameter: name)
        }
        var negated = false
        var matchers: [SearchCriterion.Matcher] = []
        switch definition.type {
        case .token:
            switch modifier {
            case nil: break
            case "not": negated = true
            case "text":
                return SearchCriterion(
                    definition: definition, negated: false, missing: nil,
                    matchers: values.map { .tokenText(SearchValue.fold($0)) })
            default: throw .notSupported("Modifikatoren :\(modifier!) understøttes ikke for \(name)")
            }
            for item in values {
                if let bar = item.firstIndex(of: "|") {
                    let system = String(item[..<bar])
                    var code = String(item[item.index(after: bar)...])
                    if system == DanishSystems.cpr, !code.isEmpty {
                        // Accept DDMMYY-SSSS as well; stored CPR numbers are ten digits.
                        do {
                            code = try CPRNumber(code).value
                        } catch {
                            throw .invalid(String(describing: error), parameter: name)
                        }
                    }
                    matchers.append(
                        .token(system: system.isEmpty ? nil : system, code: code.isEmpty ? nil : code, systemGiven: true))
                } else {
                    matchers.append(.token(system: nil, code: item, systemGiven: false))
                }
            }
        case .reference:
            var forcedType: String?
            if let modifier {
                if modifier == "identifier" {
                    for item in values {
                        let parts = item.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                        if parts.count == 2 {
                            matchers.append(.referenceIdentifier(system: parts[0].isEmpty ? nil : parts[0], value: parts[1]))
                        } else {
                            matchers.append(.referenceIdentifier(system: nil, value: item))
                        }
                    }
                    return SearchCriterion(definition: definition, negated: false, missing: nil, matchers: matchers)
                }
                guard let first = modifier.first, first.isUppercase else {
                    throw .notSupported("Modifikatoren :\(modifier) understøttes ikke for \(name)")
                }
                forcedType = modifier
            }
            for item in values {
                if item.contains("/") {
                    guard let target = Reference(reference: item).target else {
                        throw .invalid("'\(item)' er ikke en reference (Type/id)", parameter: name)
                    }
                    if let forcedType, forcedType != target.type {
                        throw .invalid("Referencen '\(item)' passer ikke til :\(forcedType)", parameter: name)
                    }
                    matchers.append(.reference(type: target.type, id: target.id))
                } else {
                    guard FHIRID.isValid(item) else { throw .invalid("'\(item)' er ikke et gyldigt id", parameter: name) }
                    matchers.append(.reference(type: forcedType, id: item))
                }
            }
        case .date:
            guard modifier == nil else { throw .notSupported("Modifikatoren :\(modifier!) understøttes ikke for \(name)") }
            for item in values {
                var prefix = "eq"
                var text = item
                let candidate = String(item.prefix(2))
                if ["eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"].contains(candidate) {
                    prefix = candidate
                    text = String(item.dropFirst(2))
                }
                // A '+' in a time zone arrives as a space when the client did not escape it.
                text = text.replacingOccurrences(of: " ", with: "+")
                let date: FHIRDateTime
                do {
                    date = try FHIRDateTime(text)
                } catch {
                    throw .invalid("Ugyldig dato i \(name): \(error)", parameter: name)
                }
                matchers.append(.date(prefix: prefix, low: date.lowerBound, high: date.upperBound))
            }
        case .string:
            let mode: SearchCriterion.StringMode
            switch modifier {
            case nil: mode = .prefix
            case "exact": mode = .exact
            case "contains": mode = .contains
            default: throw .notSupported("Modifikatoren :\(modifier!) understøttes ikke for \(name)")
            }
            matchers = values.map { .string(mode == .exact ? $0 : SearchValue.fold($0), mode: mode) }
            if mode == .exact {
                // Exact compares with case and accents, but our stored values are folded; fold both.
                matchers = values.map { .string(SearchValue.fold($0), mode: .exact) }
            }
        }
        return SearchCriterion(definition: definition, negated: negated, missing: nil, matchers: matchers)
    }
}
