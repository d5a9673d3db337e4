import FHIR
import Federation
import Foundation
import Words

/// What a `$summary` request asks for (HL7 IPS IG 2.0, OperationDefinition `summary`): whose summary, from the logical
/// id in the path (`Patient/{id}/$summary`, the CPR number being the patient's id on the platform) or from
/// `identifier=urn:oid:1.2.208.176.1.2|CPR` in the query or in a `Parameters` body, and in which language.
///
/// ```swift
/// let asked = try SummaryRequest(id: nil, query: "identifier=urn:oid:1.2.208.176.1.2|2509479989", body: nil)
/// asked.cpr.value  // "2509479989"
/// ```
///
/// Anything wrong is a `SummaryRequest.Problem`: 400 for a request that cannot be read, 404 for a patient id that
/// is not one (the same answer as for a patient nobody may see).
public struct SummaryRequest: Sendable, Equatable {
    public let cpr: CPRNumber

    /// The IPS profiles a summary can be asked in (`profile`): the Bundle's and the Composition's.
    public static let profiles: Set<String> = [
        "http://hl7.org/fhir/uv/ips/StructureDefinition/Bundle-uv-ips",
        "http://hl7.org/fhir/uv/ips/StructureDefinition/Composition-uv-ips",
    ]

    /// The parameters of the operation; names starting with `_` (`_format`, `_pretty`) are the server's.
    static let parameters: Set<String> = ["identifier", "profile"]

    public struct Problem: Error, Sendable, Equatable, Phrased {
        /// 400 or 404.
        public let status: Int
        public let phrase: Phrase
        /// The parameter at fault.
        public let expression: String?
    }

    /// The request of `id` (the path's, if any), the query and a POST body (a FHIR `Parameters` resource).
    public init(id: String?, query: String?, body: Data?) throws(Problem) {
        var pairs = QueryString.parse(query).filter { !$0.name.hasPrefix("_") }
        if let body, !body.allSatisfy({ [0x20, 0x0A, 0x0D, 0x09].contains($0) }) {
            pairs += try Self.parameters(body)
        }
        for pair in pairs where !Self.parameters.contains(pair.name) {
            throw Problem(
                status: 400,
                phrase: Phrase(
                    "outcome.summary-unknown-parameter",
                    ["name": .text(TextSanitizer.cleanLine(pair.name, maxLength: 60))]),
                expression: pair.name)
        }
        for name in Self.parameters where pairs.filter({ $0.name == name }).count > 1 {
            throw Problem(status: 400, phrase: Phrase("outcome.summary-repeated", ["name": .text(name)]), expression: name)
        }
        if let profile = QueryString.first("profile", in: pairs), !Self.profiles.contains(profile) {
            throw Problem(
                status: 400,
                phrase: Phrase(
                    "outcome.summary-profile",
                    ["profile": .text(TextSanitizer.cleanLine(profile, maxLength: 200))]),
                expression: "profile")
        }
        let identifier = QueryString.first("identifier", in: pairs)
        if let id {
            guard identifier == nil else {
                throw Problem(status: 400, phrase: Phrase("outcome.summary-id-and-identifier"), expression: "identifier")
            }
            // A logical id that is not a CPR number is no patient here: the same 404 as for an unknown one.
            guard id.utf8.count == 10, let cpr = try? CPRNumber(id) else {
                throw Problem(status: 404, phrase: Phrase("outcome.summary-no-patient"), expression: nil)
            }
            self.cpr = cpr
            return
        }
        guard let identifier, !identifier.isEmpty else {
            throw Problem(status: 400, phrase: Phrase("outcome.summary-identifier-missing"), expression: "identifier")
        }
        var value = identifier
        if let bar = identifier.firstIndex(of: "|") {
            let system = String(identifier[..<bar])
            // `|value` (no system) is allowed by the token syntax; any system but the CPR register's is not ours.
            guard system.isEmpty || system == DanishSystems.cpr else {
                throw Problem(
                    status: 400,
                    phrase: Phrase(
                        "outcome.summary-identifier-system",
                        ["system": .text(TextSanitizer.cleanLine(system, maxLength: 200)), "cpr": .text(DanishSystems.cpr)]
                    ),
                    expression: "identifier")
            }
            value = String(identifier[identifier.index(after: bar)...])
        }
        do {
            self.cpr = try CPRNumber(value)
        } catch let problem as CPRNumber.ValidationError {
            throw Problem(status: 400, phrase: problem.phrase, expression: "identifier")
        } catch {
            throw Problem(status: 400, phrase: Phrase("outcome.summary-identifier-missing"), expression: "identifier")
        }
    }

    /// The operation's parameters from a `Parameters` body: `identifier` as a string (IPS 2.0: a token,
    /// `system|value`) or, as IPS 1.x and some clients send it, an `Identifier`; `profile` as a canonical or uri.
    static func parameters(_ body: Data) throws(Problem) -> [(name: String, value: String)] {
        guard let json = try? JSONValue.parse(body), json["resourceType"]?.stringValue == "Parameters" else {
            throw Problem(status: 400, phrase: Phrase("outcome.summary-body"), expression: nil)
        }
        guard let list = json["parameter"] else { return [] }
        guard case .array(let items) = list else {
            throw Problem(status: 400, phrase: Phrase("outcome.summary-body"), expression: "Parameters.parameter")
        }
        var pairs: [(name: String, value: String)] = []
        for item in items {
            guard let name = item["name"]?.stringValue else {
                throw Problem(status: 400, phrase: Phrase("outcome.summary-body"), expression: "Parameters.parameter.name")
            }
            let value: String?
            if let text = item["valueString"]?.stringValue ?? item["valueCanonical"]?.stringValue
                ?? item["valueUri"]?.stringValue ?? item["valueToken"]?.stringValue
            {
                value = text
            } else if let identifier = item["valueIdentifier"], case .object = identifier {
                value = (identifier["system"]?.stringValue ?? "") + "|" + (identifier["value"]?.stringValue ?? "")
            } else {
                value = nil
            }
            guard let value else {
                throw Problem(
                    status: 400,
                    phrase: Phrase(
                        "outcome.summary-parameter-value", ["name": .text(TextSanitizer.cleanLine(name, maxLength: 60))]),
                    expression: "Parameters.parameter")
            }
            pairs.append((name, value))
        }
        return pairs
    }

    /// The language of an `Accept-Language` header (RFC 9110): the preferred of Danish and English by weight, Danish
    /// when neither is asked for (or nothing is).
    ///
    /// ```swift
    /// SummaryRequest.language(acceptLanguage: "en-GB,en;q=0.9,da;q=0.5")  // .en
    /// ```
    public static func language(acceptLanguage: String?) -> Language {
        guard let acceptLanguage else { return .da }
        var best: (language: Language, weight: Double)?
        for (position, part) in acceptLanguage.split(separator: ",").prefix(50).enumerated() {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased(), !tag.isEmpty else { continue }
            var weight = 1.0
            for piece in pieces.dropFirst() where piece.lowercased().hasPrefix("q=") {
                weight = Double(piece.dropFirst(2)) ?? 0
            }
            guard weight > 0, weight <= 1 else { continue }
            let primary = tag.split(separator: "-").first.map(String.init) ?? tag
            guard let language = Language(rawValue: primary) else { continue }
            // Equal weights: the one written first (the position breaks the tie).
            let ranked = weight - Double(position) * 1e-6
            if ranked > (best?.weight ?? -1) { best = (language, ranked) }
        }
        return best?.language ?? .da
    }
}
