import Foundation
import GRDB
import Words

extension AnalysisStore {
    /// Answers `query` for `project` within its approval: refused in words when it names data outside the approval,
    /// or when its population differs from an earlier query's of the project by 1 to 7 persons (a differencing
    /// attack); otherwise its cells through disclosure control, and the query in the project's log.
    public func answer(
        _ query: StatisticsQuery, project: String, approved: DataRequest, at time: Date = Date()
    ) throws(ResearchError) -> StatisticsAnswer {
        let query = try query.validated()
        for fact in query.population + [query.of].compactMap({ $0 }) {
            let type = StatisticsQuery.typeOfKind[fact.kind] ?? "-"
            let prefixes = approved.codes[type]
            guard approved.types.contains(type), prefixes.map({ $0.contains { fact.code.hasPrefix($0) } }) ?? true else {
                throw ResearchError("research.query-outside-approval", ["kind": .text(fact.kind), "code": .text(fact.code)])
            }
        }
        let population: [Data]
        let raw: [[String]: RawCell]
        do {
            (population, raw) = try self.raw(query, project: project)
        } catch {
            throw ResearchError("research.store-failed", ["detail": .text("\(error)")])
        }
        let seen = try checkDifferencing(population, project: project)
        let answer = Self.disclose(query, raw)
        do {
            let text = String(decoding: try JSONEncoder().encode(query), as: UTF8.self)
            try pool.write { db in
                try db.execute(
                    sql: "INSERT INTO query (project, at, query, population, cells, redacted) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [
                        project, ISO8601DateFormatter().string(from: time), text, population.count, answer.cells.count,
                        answer.redacted,
                    ])
                // The same population again is kept once.
                if !seen {
                    try db.execute(
                        sql: "INSERT INTO population (project, size, pids) VALUES (?, ?, ?)",
                        arguments: [project, population.count, Data(population.joined())])
                }
            }
        } catch {
            throw ResearchError("research.store-failed", ["detail": .text("\(error)")])
        }
        return answer
    }

    /// Refuses a population that differs from an earlier one of the project by 1 to 7 persons (the same population
    /// again is fine: it tells nothing new). True when the same population was asked about before.
    func checkDifferencing(_ population: [Data], project: String) throws(ResearchError) -> Bool {
        let earlier: [Data]
        do {
            earlier = try pool.read { db in
                try Data.fetchAll(
                    db, sql: "SELECT pids FROM population WHERE project = ? AND size BETWEEN ? AND ?",
                    arguments: [project, population.count - Disclosure.threshold, population.count + Disclosure.threshold])
            }
        } catch {
            throw ResearchError("research.store-failed", ["detail": .text("\(error)")])
        }
        var seen = false
        for blob in earlier {
            let other = stride(from: 0, to: blob.count, by: 16).map { blob.subdata(in: $0..<min($0 + 16, blob.count)) }
            let difference = Self.symmetricDifference(population, other, limit: Disclosure.threshold + 1)
            if (1...Disclosure.threshold).contains(difference) {
                throw ResearchError("research.differencing", ["count": .integer(difference)])
            }
            if difference == 0 { seen = true }
        }
        return seen
    }

    /// |a Δ b| for two sorted lists, counted up to `limit`.
    static func symmetricDifference(_ a: [Data], _ b: [Data], limit: Int) -> Int {
        var (i, j, count) = (0, 0, 0)
        while (i < a.count || j < b.count) && count < limit {
            if j == b.count || (i < a.count && a[i].lexicographicallyPrecedes(b[j])) {
                count += 1
                i += 1
            } else if i == a.count || b[j].lexicographicallyPrecedes(a[i]) {
                count += 1
                j += 1
            } else {
                i += 1
                j += 1
            }
        }
        return count
    }

    /// The cells as they may leave: every combination of the groups' values (an absent one is 0 persons, and
    /// redacted), redacted below the threshold and by secondary suppression, counts rounded to 5, values only where
    /// their cells are shown, totals from the rounded cells.
    static func disclose(_ query: StatisticsQuery, _ raw: [[String]: RawCell]) -> StatisticsAnswer {
        let rows = Set(raw.keys.map { $0[0] }).sorted()
        let columns = query.by.count == 2 ? Set(raw.keys.map { $0[1] }).sorted() : ["all"]
        func cell(_ row: String, _ column: String) -> RawCell {
            raw[query.by.count == 2 ? [row, column] : [row]] ?? RawCell()
        }
        var individuals: [Disclosure.Key: Int] = [:]
        for row in rows {
            for column in columns {
                let raw = cell(row, column)
                // A proportion describes its denominator too.
                individuals[Disclosure.Key(row, column)] =
                    query.measure == .proportion ? min(raw.individuals, raw.denominator) : raw.individuals
            }
        }
        let redacted = Disclosure.redacted(rows: rows, columns: columns, individuals: individuals)
        var cells: [StatisticsAnswer.Cell] = []
        var totals: [String: Int?] = [:]
        var total = 0
        var totalIndividuals = 0
        for row in rows {
            var rowTotal = 0
            var rowIndividuals = 0
            for column in columns {
                let raw = cell(row, column)
                let key = Disclosure.Key(row, column)
                let shown = !redacted.contains(key)
                let count = Disclosure.rounded(raw.count)
                rowTotal += count
                rowIndividuals += raw.individuals
                var value: Double?
                if shown {
                    switch query.measure {
                    case .count: break
                    case .proportion:
                        let denominator = Disclosure.rounded(raw.denominator)
                        value = denominator > 0 ? (Double(count) / Double(denominator) * 1000).rounded() / 1000 : nil
                    case .mean:
                        value =
                            raw.values.isEmpty ? nil : (raw.values.reduce(0, +) / Double(raw.values.count) * 10).rounded() / 10
                    case .median:
                        let sorted = raw.values.sorted()
                        if !sorted.isEmpty {
                            let middle = sorted.count / 2
                            let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
                            value = (median * 10).rounded() / 10
                        }
                    }
                }
                cells.append(
                    StatisticsAnswer.Cell(
                        group: query.by.count == 2 ? [row, column] : (query.by.isEmpty ? [] : [row]),
                        count: shown ? count : nil, value: value))
            }
            totals[row] = Disclosure.shown(individuals: rowIndividuals) ? rowTotal : nil
            total += rowTotal
            totalIndividuals += rowIndividuals
        }
        return StatisticsAnswer(
            cells: cells, totals: query.by.count == 2 ? totals : [:],
            total: Disclosure.shown(individuals: totalIndividuals) ? total : nil, redacted: redacted.count,
            rules: Catalog.danish.text("research.rules") + " / " + Catalog.english.text("research.rules"))
    }

    /// The project's queries so far (for `GET /research/projects`).
    public func queryCount(_ project: String) throws -> Int {
        try pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM query WHERE project = ?", arguments: [project]) ?? 0 }
    }
}
