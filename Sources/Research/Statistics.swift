import Foundation
import GRDB

/// A question a project asks of its data: a measure over a population, by up to two groupings. For example the
/// number of emergency arrivals (`count` of `encounter` `EMER`) per month and municipality among patients with KOL
/// (`population: [condition DJ44]`).
public struct StatisticsQuery: Codable, Sendable, Equatable {
    public enum Measure: String, Codable, Sendable, CaseIterable {
        /// Facts (`of` given) or persons (no `of`) per cell.
        case count
        /// The share of the population's persons in a cell that have a fact `of`.
        case proportion
        /// The mean or median of the values of `of` (a lab code) per cell.
        case mean, median
    }

    public enum Dimension: String, Codable, Sendable, CaseIterable {
        case period, municipality, sex
        /// 10-year bands of birth year (as coarse as the approval's bands allow).
        case birth
    }

    /// A kind of fact and a code prefix: `condition` `DJ44`, `encounter` `EMER`, `observation` `NPU27300`.
    public struct Fact: Codable, Sendable, Equatable {
        public var kind: String
        public var code: String
        public init(_ kind: String, _ code: String) {
            self.kind = kind
            self.code = code
        }
    }

    public var measure: Measure
    public var of: Fact?
    /// The persons counted: those with every one of these facts (none: everyone loaded).
    public var population: [Fact]
    public var by: [Dimension]

    public init(measure: Measure, of: Fact? = nil, population: [Fact] = [], by: [Dimension] = []) {
        self.measure = measure
        self.of = of
        self.population = population
        self.by = by
    }

    enum CodingKeys: String, CodingKey { case measure, of, population, by }

    /// As sent: only `measure` is required.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            measure: try container.decode(Measure.self, forKey: .measure),
            of: try container.decodeIfPresent(Fact.self, forKey: .of),
            population: try container.decodeIfPresent([Fact].self, forKey: .population) ?? [],
            by: try container.decodeIfPresent([Dimension].self, forKey: .by) ?? [])
    }

    /// The store's kinds of fact and the approval's resource type of each.
    static let typeOfKind = [
        "condition": "Condition", "encounter": "Encounter", "observation": "Observation", "medication": "MedicationStatement",
    ]
    static var kinds: Dictionary<String, String>.Keys { typeOfKind.keys }

    /// The query as it may run; else what is wrong with it, in words.
    public func validated() throws(ResearchError) -> StatisticsQuery {
        guard by.count <= 2, Set(by).count == by.count else { throw ResearchError("research.query-groups") }
        for fact in population + [of].compactMap({ $0 }) {
            guard Self.kinds.contains(fact.kind) else { throw ResearchError("research.query-kind", ["kind": .text(fact.kind)]) }
            guard Extractor.clean(fact.code) != nil else {
                throw ResearchError("research.bad-code", ["code": .text(String(fact.code.prefix(20)))])
            }
        }
        switch measure {
        case .count: break
        case .proportion:
            guard of != nil else { throw ResearchError("research.query-needs-of", ["measure": .text(measure.rawValue)]) }
            guard !by.contains(.period) else { throw ResearchError("research.query-proportion-period") }
        case .mean, .median:
            guard of?.kind == "observation" else {
                throw ResearchError("research.query-needs-of", ["measure": .text(measure.rawValue)])
            }
        }
        return self
    }
}

/// An answer that may leave the platform: cells that passed disclosure control, never a pseudonym or a row.
public struct StatisticsAnswer: Codable, Sendable, Equatable {
    public struct Cell: Codable, Sendable, Equatable {
        public var group: [String]
        /// The count rounded to 5, or nil when redacted.
        public var count: Int?
        /// A proportion (of rounded counts), mean or median, or nil when redacted or not asked.
        public var value: Double?
    }

    public var cells: [Cell]
    /// Per value of the first grouping (and in all), totals made from the rounded cells; nil when redacted.
    public var totals: [String: Int?]
    public var total: Int?
    /// How many cells were redacted, below the threshold or to protect them.
    public var redacted: Int
    /// The rules applied, said in the answer itself.
    public var rules: String
}

extension AnalysisStore {
    /// The raw cells of a query: group → (the measure's count, individuals, values), and the population's persons.
    struct RawCell {
        var count = 0
        var individuals = 0
        var denominator = 0
        var values: [Double] = []
    }

    /// Runs `query` over `project`'s data: the population's persons (for the differencing check) and the raw cells.
    func raw(_ query: StatisticsQuery, project: String) throws -> (population: [Data], cells: [[String]: RawCell]) {
        try pool.read { db in
            var conditionArguments: StatementArguments = []
            var conditions = ""
            for fact in query.population {
                conditions += """
                     AND p.pid IN (SELECT pid FROM fact WHERE project = ? AND kind = ? AND code >= ? AND code < ?)
                    """
                conditionArguments += [project, fact.kind, fact.code, Self.successor(fact.code)]
            }
            let arguments: StatementArguments = [project] + conditionArguments
            let population = try Data.fetchAll(
                db, sql: "SELECT p.pid FROM person p WHERE p.project = ?\(conditions) ORDER BY p.pid", arguments: arguments)
            func column(_ dimension: StatisticsQuery.Dimension) -> String {
                switch dimension {
                case .period: "f.period"
                case .municipality: "p.municipality"
                case .sex: "p.sex"
                case .birth: "(p.birth - p.birth % 10)"
                }
            }
            let groups = query.by.map(column)
            let select = groups.isEmpty ? "'all'" : groups.map { "CAST(\($0) AS TEXT)" }.joined(separator: ", ")
            let groupBy = groups.isEmpty ? "" : " GROUP BY " + groups.joined(separator: ", ")
            var cells: [[String]: RawCell] = [:]
            let width = max(1, query.by.count)
            func key(_ row: Row) -> [String] { (0..<width).map { row[$0] as String? ?? "-" } }
            switch (query.measure, query.of) {
            case (.count, nil):
                let sql = "SELECT \(select), count(*) FROM person p WHERE p.project = ?\(conditions)\(groupBy)"
                guard !query.by.contains(.period) else {
                    // Persons by period: those with any fact in the period.
                    let byPeriod = """
                        SELECT \(select), count(DISTINCT f.pid) FROM fact f JOIN person p ON p.project = f.project AND p.pid = f.pid
                        WHERE p.project = ?\(conditions)\(groupBy)
                        """
                    for row in try Row.fetchAll(db, sql: byPeriod, arguments: arguments) {
                        let n: Int = row[width]
                        cells[key(row)] = RawCell(count: n, individuals: n)
                    }
                    return (population, cells)
                }
                for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                    let n: Int = row[width]
                    cells[key(row)] = RawCell(count: n, individuals: n)
                }
            case (.count, let of?), (.mean, let of?), (.median, let of?):
                let sql = """
                    SELECT \(select), count(*), count(DISTINCT f.pid)\(query.measure == .count ? "" : ", group_concat(f.value)")
                    FROM fact f JOIN person p ON p.project = f.project AND p.pid = f.pid
                    WHERE p.project = ? AND f.kind = ? AND f.code >= ? AND f.code < ?\(conditions)\(groupBy)
                    """
                let withFact: StatementArguments =
                    [project, of.kind, of.code, Self.successor(of.code)] + conditionArguments
                for row in try Row.fetchAll(db, sql: sql, arguments: withFact) {
                    var cell = RawCell(count: row[width], individuals: row[width + 1])
                    if query.measure != .count {
                        cell.values = (row[width + 2] as String? ?? "").split(separator: ",").compactMap { Double($0) }
                    }
                    cells[key(row)] = cell
                }
            case (.proportion, let of?):
                let sql = """
                    SELECT \(select), count(*),
                           sum(EXISTS (SELECT 1 FROM fact f WHERE f.project = p.project AND f.pid = p.pid AND f.kind = ?
                                       AND f.code >= ? AND f.code < ?))
                    FROM person p WHERE p.project = ?\(conditions)\(groupBy)
                    """
                let withFact: StatementArguments = [of.kind, of.code, Self.successor(of.code)] + arguments
                for row in try Row.fetchAll(db, sql: sql, arguments: withFact) {
                    let numerator: Int = row[width + 1]
                    cells[key(row)] = RawCell(count: numerator, individuals: numerator, denominator: row[width])
                }
            case (.proportion, nil), (.mean, nil), (.median, nil):
                break
            }
            return (population, cells)
        }
    }

    /// The first text after every text that starts with `prefix` (for an indexed prefix range).
    static func successor(_ prefix: String) -> String {
        var scalars = Array(prefix.unicodeScalars)
        guard let last = scalars.popLast(), let next = Unicode.Scalar(last.value + 1) else { return prefix + "\u{10FFFF}" }
        scalars.append(next)
        return String(String.UnicodeScalarView(scalars))
    }
}
