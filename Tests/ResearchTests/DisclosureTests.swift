import FHIR
import Foundation
import Testing
import Words

@testable import Research

/// Statistics on demand as a researcher asks and a disclosure controller checks them: OpenSAFELY's rules on cells of
/// 0, 7, 8 and 12 persons, secondary suppression, totals from rounded cells, the differencing refusal, questions
/// outside the approval refused, and never a pseudonym or a row in an answer.
@Suite struct DisclosureTests {
    @Test func cellsOf0And7AreRedactedAnd8And12RoundToTen() {
        #expect(!Disclosure.shown(individuals: 0) && !Disclosure.shown(individuals: 7))
        #expect(Disclosure.shown(individuals: 8) && Disclosure.shown(individuals: 12))
        #expect([0, 2, 3, 7, 8, 12, 13, 17, 18, 1002].map(Disclosure.rounded) == [0, 0, 5, 5, 10, 10, 15, 15, 20, 1000])
    }

    @Test func aLoneRedactedCellTakesAnotherInItsRowAndColumn() {
        // a: 12 8 / b: 5 30: b/x is small, so a second cell in row b and in column x must go too.
        let individuals: [Disclosure.Key: Int] = [
            .init("a", "x"): 12, .init("a", "y"): 8, .init("b", "x"): 5, .init("b", "y"): 30,
        ]
        let hidden = Disclosure.redacted(rows: ["a", "b"], columns: ["x", "y"], individuals: individuals)
        #expect(hidden.contains(.init("b", "x")))
        for row in ["a", "b"] {
            #expect([0, 2].contains(["x", "y"].filter { hidden.contains(.init(row, $0)) }.count), "row \(row): \(hidden)")
        }
        for column in ["x", "y"] {
            #expect([0, 2].contains(["a", "b"].filter { hidden.contains(.init($0, column)) }.count), "column \(column)")
        }
    }

    /// A store with exact cells: persons with KOL in four municipalities (12, 8, 7 and 3 of them with an emergency
    /// arrival in March 2025), 30 without KOL, and HbA1c values for the first municipality.
    static func store() throws -> (AnalysisStore, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("disclosure-\(UUID().uuidString.prefix(8))")
        let store = try AnalysisStore(path: folder.appendingPathComponent("analysis.sqlite").path)
        var generator = SystemRandomNumberGenerator()
        func pid() -> Data { Data((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }) }
        try store.replace(project: "p") { person, fact in
            for (municipality, arrivals) in [("0101", 12), ("0147", 8), ("0163", 7), ("0400", 3)] {
                for index in 0..<20 {
                    let id = pid()
                    try person(
                        PersonRow(pid: id, sex: index % 2 == 0 ? "male" : "female", birth: 1950, municipality: municipality))
                    // One of them has another KOL subcode: a population one person away from "all KOL".
                    let code = municipality == "0400" && index == 0 ? "DJ44.1" : "DJ44.9"
                    try fact(FactRow(pid: id, kind: "condition", code: code, value: nil, period: "2019-05"))
                    if index < arrivals {
                        try fact(FactRow(pid: id, kind: "encounter", code: "EMER", value: nil, period: "2025-03"))
                    }
                    if municipality == "0101" || index == 0 {
                        try fact(
                            FactRow(pid: id, kind: "observation", code: "NPU27300", value: Double(40 + index), period: "2025-03"))
                    }
                }
            }
            for _ in 0..<30 {
                try person(PersonRow(pid: pid(), sex: "female", birth: 1980, municipality: "0101"))
            }
        }
        return (store, folder)
    }

    static let approved = DataRequest(
        types: ["Condition", "Encounter", "Observation"], codes: ["Condition": ["DJ44"]], from: "2019-01", to: "2026-11")
    static let arrivals = StatisticsQuery(
        measure: .count, of: .init("encounter", "EMER"), population: [.init("condition", "DJ44")], by: [.municipality])

    @Test func emergencyArrivalsByMunicipalityAmongKOLPatients() throws {
        let (store, folder) = try Self.store()
        defer { try? FileManager.default.removeItem(at: folder) }
        let answer = try store.answer(Self.arrivals, project: "p", approved: Self.approved)
        let byPlace = Dictionary(uniqueKeysWithValues: answer.cells.map { ($0.group[0], $0.count) })
        #expect(byPlace["0101"] == .some(10), "12 persons: 10")
        #expect(byPlace["0147"] == .some(10), "8 persons: 10")
        #expect(byPlace["0163"] == .some(nil), "7 persons: redacted")
        #expect(byPlace["0400"] == .some(nil), "3 persons: redacted")
        #expect(answer.redacted == 2)
        // The total is made from the rounded cells (10 + 10 + 5 + 5), never the true 30.
        #expect(answer.total == 30)
        #expect(answer.rules.contains("7 eller færre"))
        // Nothing in it names a person.
        let json = String(decoding: try JSONEncoder().encode(answer), as: UTF8.self)
        let pids = try store.pool.read { try Data.fetchAll($0, sql: "SELECT pid FROM person") }
        for pid in pids.prefix(20) {
            #expect(!json.contains(pid.base64EncodedString()) && !json.contains(pid.map { String(format: "%02x", $0) }.joined()))
        }
        #expect(try store.queryCount("p") == 1, "every query is logged")
    }

    @Test func aZeroCellInAGridIsRedactedAndProtected() throws {
        let (store, folder) = try Self.store()
        defer { try? FileManager.default.removeItem(at: folder) }
        // By municipality and sex: 0101 has 6 men and 6 women with arrivals, so every cell of it is small, and
        // the women without KOL make no cell at all.
        var query = Self.arrivals
        query.by = [.municipality, .sex]
        let answer = try store.answer(query, project: "p", approved: Self.approved)
        for cell in answer.cells { #expect(cell.count == nil, "\(cell.group): every cell has 7 or fewer persons") }
        #expect(answer.total == nil || answer.total! % 5 == 0)
    }

    @Test func aQueryOnePersonAwayFromAnEarlierOneIsRefused() throws {
        let (store, folder) = try Self.store()
        defer { try? FileManager.default.removeItem(at: folder) }
        // KOL patients with an emergency arrival: 30.
        let all = StatisticsQuery(measure: .count, population: [.init("condition", "DJ44"), .init("encounter", "EMER")])
        #expect(try store.answer(all, project: "p", approved: Self.approved).total == 30)
        // The same with one KOL subcode leaves out one person: refused, whatever the measure.
        for measure in [StatisticsQuery.Measure.count, .mean] {
            let oneAway = StatisticsQuery(
                measure: measure, of: measure == .mean ? .init("observation", "NPU27300") : nil,
                population: [.init("condition", "DJ44.9"), .init("encounter", "EMER")])
            do {
                let answer = try store.answer(oneAway, project: "p", approved: Self.approved)
                Issue.record("a population one person from an earlier one was answered: \(answer.total ?? -1)")
            } catch {
                #expect(Catalog.danish.text(error.phrase).contains("afviger med 1 person fra"), "\(error)")
            }
        }
        // The same population again tells nothing new; one far from it is fine too.
        #expect(try store.answer(all, project: "p", approved: Self.approved).total == 30)
        let kol = StatisticsQuery(measure: .count, population: [.init("condition", "DJ44")])
        #expect(try store.answer(kol, project: "p", approved: Self.approved).total == 80)
        #expect(try store.queryCount("p") == 3, "the refused ones are no answers")
    }

    @Test func aQueryOutsideTheApprovalIsRefusedInWords() throws {
        let (store, folder) = try Self.store()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outside = [
            StatisticsQuery(measure: .count, of: .init("medication", "R03")),
            StatisticsQuery(measure: .count, population: [.init("condition", "DE11")]),
            StatisticsQuery(measure: .count, population: [.init("condition", "DJ")]),
        ]
        for query in outside {
            #expect(throws: ResearchError.self) { try store.answer(query, project: "p", approved: Self.approved) }
        }
        let malformed = [
            StatisticsQuery(measure: .mean, of: .init("encounter", "EMER")),
            StatisticsQuery(measure: .proportion),
            StatisticsQuery(measure: .count, by: [.sex, .sex]),
            StatisticsQuery(measure: .count, population: [.init("condition", "DJ44'; DROP TABLE fact; --")]),
        ]
        for query in malformed {
            #expect(throws: ResearchError.self) { try store.answer(query, project: "p", approved: Self.approved) }
        }
        #expect(try store.queryCount("p") == 0, "a refused query is no answer")
    }

    @Test func meansMediansAndProportionsOnlyWhereTheirCellsAreShown() throws {
        let (store, folder) = try Self.store()
        defer { try? FileManager.default.removeItem(at: folder) }
        let mean = try store.answer(
            StatisticsQuery(measure: .mean, of: .init("observation", "NPU27300"), by: [.municipality]), project: "p",
            approved: Self.approved)
        let values = Dictionary(uniqueKeysWithValues: mean.cells.map { ($0.group[0], $0.value) })
        #expect(values["0101"] == .some(49.5), "40...59: \(values)")
        #expect(values["0147"] == .some(nil), "one person: no mean")
        let median = try store.answer(
            StatisticsQuery(measure: .median, of: .init("observation", "NPU27300"), by: [.municipality]), project: "p",
            approved: Self.approved)
        #expect(median.cells.first { $0.group == ["0101"] }?.value == 49.5)
        let share = try store.answer(
            StatisticsQuery(
                measure: .proportion, of: .init("encounter", "EMER"), population: [.init("condition", "DJ44")], by: [.sex]),
            project: "p", approved: Self.approved)
        // 30 of 80 KOL patients had an arrival: 15 of 40 men and women each (rounded: 15/40).
        for cell in share.cells { #expect(cell.value == 0.375, "\(cell)") }
    }
}
