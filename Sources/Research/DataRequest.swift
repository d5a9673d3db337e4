import FHIR
import Foundation
import Words

/// Why research work was refused or failed, in the catalog's words (`research.*`).
public struct ResearchError: Error, Sendable, Equatable, Phrased, CustomStringConvertible {
    public var phrase: Phrase
    public init(_ id: String, _ arguments: [String: Phrase.Argument] = [:]) { phrase = Phrase(id, arguments) }
    public var description: String { Catalog.danish.text(phrase) }
}

/// The data a project applies for, and once approved, the only data it gets: resource types, the codes of each (by
/// prefix: `DJ44` is KOL and its subcodes), the period, the population (ages), and how coarse dates and ages are.
public struct DataRequest: Codable, Sendable, Equatable {
    public enum DateGranularity: String, Codable, Sendable, CaseIterable { case month, quarter, year }
    public enum AgeGranularity: String, Codable, Sendable, CaseIterable {
        case year
        case fiveYears = "5-years"
        case tenYears = "10-years"
        var width: Int {
            switch self {
            case .year: 1
            case .fiveYears: 5
            case .tenYears: 10
            }
        }
    }

    /// The fact types a project may ask for (every project gets the persons themselves: sex, age, municipality).
    public static let factTypes = ["Condition", "Encounter", "Observation", "MedicationStatement"]

    public var types: [String]
    /// Per type, the code prefixes it may see; a type without an entry: every code.
    public var codes: [String: [String]]
    /// First and last month (`2024-01`, `2026-11`), both included; nil: unbounded.
    public var from: String?
    public var to: String?
    public var minAge: Int?
    public var maxAge: Int?
    public var dates: DateGranularity
    public var ages: AgeGranularity

    public init(
        types: [String], codes: [String: [String]] = [:], from: String? = nil, to: String? = nil, minAge: Int? = nil,
        maxAge: Int? = nil, dates: DateGranularity = .month, ages: AgeGranularity = .fiveYears
    ) {
        self.types = types
        self.codes = codes
        self.from = from
        self.to = to
        self.minAge = minAge
        self.maxAge = maxAge
        self.dates = dates
        self.ages = ages
    }

    enum CodingKeys: String, CodingKey { case types, codes, from, to, minAge, maxAge, dates, ages }

    /// As sent: only `types` is required; the rest has the defaults of `init`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            types: try container.decode([String].self, forKey: .types),
            codes: try container.decodeIfPresent([String: [String]].self, forKey: .codes) ?? [:],
            from: try container.decodeIfPresent(String.self, forKey: .from),
            to: try container.decodeIfPresent(String.self, forKey: .to),
            minAge: try container.decodeIfPresent(Int.self, forKey: .minAge),
            maxAge: try container.decodeIfPresent(Int.self, forKey: .maxAge),
            dates: try container.decodeIfPresent(DateGranularity.self, forKey: .dates) ?? .month,
            ages: try container.decodeIfPresent(AgeGranularity.self, forKey: .ages) ?? .fiveYears)
    }

    /// The request as it may be stored: known types only, months as `YYYY-MM`, ages in order; else the problem.
    public func validated() throws(ResearchError) -> DataRequest {
        for type in types where !Self.factTypes.contains(type) {
            throw ResearchError(
                "research.unknown-type", ["type": .text(type), "known": .text(Self.factTypes.joined(separator: ", "))])
        }
        for type in codes.keys where !types.contains(type) {
            throw ResearchError("research.codes-without-type", ["type": .text(type)])
        }
        for month in [from, to].compactMap({ $0 }) where Self.month(month) == nil {
            throw ResearchError("research.bad-month", ["month": .text(month)])
        }
        if let from, let to, from > to {
            throw ResearchError("research.period-backwards", ["from": .text(from), "to": .text(to)])
        }
        if let minAge, let maxAge, minAge > maxAge || minAge < 0 || maxAge > 130 {
            throw ResearchError("research.bad-ages")
        }
        for list in codes.values {
            for code in list where Extractor.clean(code) == nil {
                throw ResearchError("research.bad-code", ["code": .text(String(code.prefix(20)))])
            }
        }
        return self
    }

    /// `2024-03` as (2024, 3); nil when it is not a month.
    static func month(_ text: String) -> (year: Int, month: Int)? {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), let month = Int(parts[1]),
            (1...12).contains(month)
        else { return nil }
        return (year, month)
    }

    /// Whether a fact of `type` with `code` in month `month` (`YYYY-MM`) is within the request.
    func allows(type: String, code: String, month: String) -> Bool {
        guard types.contains(type) else { return false }
        if let prefixes = codes[type], !prefixes.contains(where: { code.hasPrefix($0) }) { return false }
        if let from, month < from { return false }
        if let to, month > to { return false }
        return true
    }

    /// The period a month is stored as: `2025-03`, `2025-Q1` or `2025`.
    func period(_ month: String) -> String {
        switch dates {
        case .month: return month
        case .year: return String(month.prefix(4))
        case .quarter:
            let number = Int(month.suffix(2)) ?? 1
            return "\(month.prefix(4))-Q\((number - 1) / 3 + 1)"
        }
    }

    /// The birth year stored: the first year of its band (1952 with 5-year bands: 1950).
    func birthBand(_ year: Int) -> Int { year - ((year % ages.width) + ages.width) % ages.width }
}
