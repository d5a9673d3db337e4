import FHIR
import Foundation
import GRDB
import Platform
import Testing
import Words

@testable import Research

/// A citizen who opts out of secondary use, as the analysis store keeps it: gone from the persons, the facts and the
/// populations kept for the differencing check, so that the counts change and asking again is no "attack"; a load
/// that had read the choices before the opt-out leaves them out all the same; and a Consent that opts out of
/// research is not mistaken for a block.
@Suite struct OptOutTests {
    /// Twenty synthetic test CPR numbers (they fail modulus 11, as national test numbers do).
    static let cprs: [CPRNumber] = {
        var found: [CPRNumber] = []
        var serial = 9000
        while found.count < 20 {
            serial += 1
            if let cpr = try? CPRNumber("010150\(serial)"), cpr.isTestNumber { found.append(cpr) }
        }
        return found
    }()

    static let approved = DataRequest(types: ["Condition", "Encounter"], codes: ["Condition": ["DJ44"]])
    static let kol = StatisticsQuery(measure: .count, population: [.init("condition", "DJ44")], by: [.sex])

    /// Eight women with KOL (a cell of 8) and twelve men, loaded with `key`.
    static func load(_ store: AnalysisStore, key: ProjectKey, project: String = "p", choices: Date = .distantPast) throws {
        try store.replace(project: project, choices: choices) { person, fact in
            for (index, cpr) in cprs.enumerated() {
                let pid = key.pseudonym(cpr)
                try person(PersonRow(pid: pid, sex: index < 8 ? "female" : "male", birth: 1950, municipality: "0101"))
                try fact(FactRow(pid: pid, kind: "condition", code: "DJ44.9", value: nil, period: "2024-03"))
            }
        }
    }

    static func store() throws -> (AnalysisStore, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("optout-\(UUID().uuidString.prefix(8))")
        return (try AnalysisStore(path: folder.appendingPathComponent("analysis.sqlite").path), folder)
    }

    @Test func aCitizenWhoOptsOutLeavesTheCountsAndAskingAgainIsNoAttack() throws {
        let (store, folder) = try Self.store()
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = ProjectKey.generate()
        try Self.load(store, key: key)
        let women = { (answer: StatisticsAnswer) in answer.cells.first { $0.group == ["female"] }?.count }
        #expect(women(try store.answer(Self.kol, project: "p", approved: Self.approved)) == .some(10), "8 women: 10")

        #expect(try store.remove(Self.cprs[0], keys: ["p": key]) == 1)
        // 7 women now: redacted. The same query again is answered: the kept population lost her too.
        #expect(women(try store.answer(Self.kol, project: "p", approved: Self.approved)) == .some(nil), "7 women: redacted")
        let pid = key.pseudonym(Self.cprs[0])
        let left = try store.pool.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM person WHERE pid = ?", arguments: [pid]) ?? -1,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM fact WHERE pid = ?", arguments: [pid]) ?? -1,
                try Data.fetchAll(db, sql: "SELECT pids FROM population")
            )
        }
        #expect(left.0 == 0 && left.1 == 0)
        for blob in left.2 {
            #expect(stride(from: 0, to: blob.count, by: 16).allSatisfy { blob.subdata(in: $0..<$0 + 16) != pid })
        }
    }

    @Test func aLoadThatReadTheChoicesBeforeAnOptOutLeavesTheCitizenOut() throws {
        let (store, folder) = try Self.store()
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = ProjectKey.generate()
        let read = Date()
        // The opt-out arrives while the load (whose choices were read at `read`) is still downloading.
        try store.remove(Self.cprs[3], keys: ["p": key], at: read.addingTimeInterval(1))
        try Self.load(store, key: key, choices: read)
        #expect(try store.size(of: "p").persons == 19)
        // A later load, whose reading of the choices came after it, is the one that knows: the note is let go.
        try Self.load(store, key: key, choices: read.addingTimeInterval(2))
        #expect(try store.size(of: "p").persons == 20)
        #expect(try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM optout") } == 0)
    }

    @Test func anOptOutOfResearchIsNotABlock() throws {
        let optOut = ResearchOptOut.consent(id: "c", patient: "p", active: true)
        #expect(ResearchOptOut.optedOut([optOut]))
        #expect(ConsentBlock.from([optOut]).isEmpty, "clinicians read as before")
        let withdrawn = ResearchOptOut.consent(id: "c", patient: "p", active: false)
        #expect(!ResearchOptOut.optedOut([withdrawn]))
        // A privacy block (scope patient-privacy) is no opt-out of research.
        var block = optOut
        if case .object(var object) = block {
            object["scope"] = .object([
                "coding": .array([.object(["system": .string(ResearchOptOut.scopeSystem), "code": .string("patient-privacy")])])
            ])
            block = .object(object)
        }
        #expect(!ResearchOptOut.optedOut([block]) && ConsentBlock.from([block]).count == 1)
        // One that has ended opts out no more.
        if case .object(var object) = optOut, case .object(var provision)? = object["provision"] {
            provision["period"] = .object(["end": .string("2020-01-01")])
            object["provision"] = .object(provision)
            #expect(!ResearchOptOut.optedOut([.object(object)]))
        }
    }
}
