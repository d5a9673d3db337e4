import DemoSources
import FHIR
import Foundation
import Testing

/// The synthetic research cohort (`make cohort`) as a researcher counting it would rely on it: the same for the same
/// seed, only test-CPR numbers, an age, sex and disease structure that is plausible, and served whole through Bulk
/// Data by the cohort source.
@Suite(.timeLimit(.minutes(3))) struct CohortTests {
    static func folder(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("cohort-test-\(name)-\(UUID().uuidString.prefix(8))")
    }

    static func lines(_ folder: URL, _ type: String) throws -> [JSONValue] {
        let text = try String(contentsOf: folder.appendingPathComponent("\(type).ndjson"), encoding: .utf8)
        return try text.split(separator: "\n").map { try JSONValue.parse(Data($0.utf8)) }
    }

    @Test func theSameSeedMakesTheSameCohortAndAnotherSeedAnother() throws {
        let (a, b, c) = (Self.folder("a"), Self.folder("b"), Self.folder("c"))
        defer { for folder in [a, b, c] { try? FileManager.default.removeItem(at: folder) } }
        let first = try CohortGenerator(persons: 500, seed: 7).write(to: a)
        _ = try CohortGenerator(persons: 500, seed: 7).write(to: b)
        _ = try CohortGenerator(persons: 500, seed: 8).write(to: c)
        for type in first.counts.keys {
            let name = "\(type).ndjson"
            let x = try Data(contentsOf: a.appendingPathComponent(name))
            #expect(x == (try Data(contentsOf: b.appendingPathComponent(name))), "\(type)")
            #expect(x != (try Data(contentsOf: c.appendingPathComponent(name))), "\(type)")
        }
        #expect(first.persons == 500 && first.counts["Patient"] == 500)
        // Nothing half-written beside it.
        let beside = try FileManager.default.contentsOfDirectory(atPath: a.deletingLastPathComponent().path)
        #expect(!beside.contains { $0.hasPrefix(".\(a.lastPathComponent).writing") })
    }

    @Test func everyoneIsATestPersonWithAPlausibleLife() throws {
        let folder = Self.folder("rules")
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = try CohortGenerator(persons: 6000).write(to: folder)
        let patients = try Self.lines(folder, "Patient")
        #expect(patients.count == 6000)
        var numbers: Set<String> = []
        var ages: [String: Int] = [:]
        for patient in patients {
            let cpr = try #require(patient["identifier"]?.listValue.first?["value"]?.stringValue)
            let number = try CPRNumber(cpr)
            #expect(number.isTestNumber, "\(cpr) follows the test-CPR rules")
            #expect(numbers.insert(cpr).inserted, "\(cpr) once")
            let birth = try #require(patient["birthDate"]?.stringValue)
            #expect(!birth.hasSuffix("-01-01"))
            let digits = Array(cpr)
            #expect(
                String(digits[0..<2]) == String(birth.suffix(2)) && String(digits[2..<4]) == String(birth.dropFirst(5).prefix(2)))
            #expect(patient["gender"]?.stringValue == number.gender)
            #expect(patient["name"]?.listValue.first?["given"]?.listValue.contains(.string("Test")) == true)
            let year = Int(birth.prefix(4)) ?? 0
            ages[patient["id"]?.stringValue ?? ""] = 2026 - year
        }
        let adults = ages.values.filter { $0 >= 18 }.count
        #expect((0.70...0.85).contains(Double(adults) / 6000), "about 78 % adults: \(adults)")
        // KOL (DJ44): none under 40, a few per cent of those over.
        let conditions = try Self.lines(folder, "Condition")
        func owner(_ resource: JSONValue) -> String {
            String((resource["subject"]?["reference"]?.stringValue ?? "").dropFirst("Patient/".count))
        }
        let kol = Set(conditions.filter { $0["code"]?["coding"]?.listValue.first?["code"]?.stringValue == "DJ44" }.map(owner))
        #expect(kol.allSatisfy { (ages[$0] ?? 0) >= 40 })
        let over40 = ages.values.filter { $0 >= 40 }.count
        #expect((0.02...0.12).contains(Double(kol.count) / Double(over40)), "KOL among 40+: \(kol.count)/\(over40)")
        // KOL brings emergency arrivals.
        let emergencies = try Self.lines(folder, "Encounter").filter { $0["class"]?["code"]?.stringValue == "EMER" }
        let perKOL = Double(emergencies.filter { kol.contains(owner($0)) }.count) / Double(max(1, kol.count))
        let others = ages.keys.filter { !kol.contains($0) && (ages[$0] ?? 0) >= 40 }.count
        let perOther =
            Double(emergencies.filter { !kol.contains(owner($0)) && (ages[owner($0)] ?? 0) >= 40 }.count) / Double(others)
        #expect(perKOL > 2 * perOther, "emergency arrivals per person: KOL \(perKOL), others \(perOther)")
        #expect(manifest.counts.values.reduce(0, +) > 20 * 6000 / 2, "many resources per person: \(manifest.counts)")
    }

    @Test func theCohortSourceExportsAllOfItThroughBulkData() async throws {
        let folder = Self.folder("source")
        defer { try? FileManager.default.removeItem(at: folder) }
        let manifest = try CohortGenerator(persons: 800).write(to: folder)
        let files = try CohortFiles(folder: folder)
        let store = try ResourceStore(resources: [], supportedTypes: [])
        let server = DemoSourceServer(id: "cohort", name: "Kohorte", sector: "other", store: store, bulkSource: files)
        try await server.start()
        let base = try #require(await server.baseURL)
        let auth = [("Authorization", "Bearer \(server.exportSecret)")]
        let (all, _) = try await BulkExportTests.export("\(base)/$export", auth: auth)
        let found = try await BulkExportTests.download(all, auth: auth)
        for (type, count) in manifest.counts { #expect(found[type]?.count == count, "\(type)") }
        let (none, _) = try await BulkExportTests.export("\(base)/$export?_since=2026-12-02T00:00:00Z", auth: auth)
        #expect(try await BulkExportTests.download(none, auth: auth).isEmpty, "nothing changed since it was made")
        let (typed, _) = try await BulkExportTests.export("\(base)/Patient/$export?_type=Condition", auth: auth)
        #expect(try await BulkExportTests.download(typed, auth: auth)["Condition"]?.count == manifest.counts["Condition"])
        await server.shutdown()
    }

    @Test func aMissingOrBrokenCohortIsSaidInWords() throws {
        let folder = Self.folder("broken")
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: CohortError.self) { try CohortFiles(folder: folder) }
        _ = try CohortGenerator(persons: 10).write(to: folder)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("Observation.ndjson"))
        do {
            _ = try CohortFiles(folder: folder)
            Issue.record("a cohort without its Observation file was taken")
        } catch {
            #expect("\(error)".contains("mangler Observation.ndjson"), "\(error)")
        }
        try Data("{".utf8).write(to: folder.appendingPathComponent("cohort.json"))
        do {
            _ = try CohortFiles(folder: folder)
            Issue.record("a broken cohort.json was taken")
        } catch {
            #expect("\(error)".contains("make cohort"), "\(error)")
        }
    }
}
