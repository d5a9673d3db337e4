import AsyncHTTPClient
import DemoSources
import FHIR
import Foundation
import Hummingbird
import Logging
import Synchronization
import Testing
import Words

@testable import Research

/// The analysis platform's ingest as a data controller would check it: a cohort exported through Bulk Data over
/// real HTTP, pseudonymised with the project's key, loaded with only what the approval allows, nobody who opted out,
/// no CPR number, name, address or free text anywhere in the store's file; and every broken export refused with
/// words, the project's data left as it was.
@Suite(.timeLimit(.minutes(3))) struct IngestTests {
    static let http = HTTPClient(eventLoopGroupProvider: .singleton)

    /// A cohort of `persons` served by a cohort source; `body` gets the source as the platform reaches it.
    static func withCohort<T>(
        persons: Int, _ body: (BulkDataClient.Source, URL) async throws -> T
    ) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-cohort-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        try CohortGenerator(persons: persons).write(to: folder)
        let server = DemoSourceServer(
            id: "cohort", name: "Kohorte", sector: "other",
            store: try ResourceStore(resources: [], supportedTypes: Set(CohortGenerator.types)),
            bulkSource: try CohortFiles(folder: folder))
        try await server.start()
        do {
            let base = try #require(await server.baseURL)
            let result = try await body(BulkDataClient.Source(id: "cohort", base: base, token: server.exportSecret), folder)
            await server.shutdown()
            return result
        } catch {
            await server.shutdown()
            throw error
        }
    }

    static func scratch() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("research-test-\(UUID().uuidString.prefix(8))")
    }

    static let kol = DataRequest(
        types: ["Condition", "Encounter"], codes: ["Condition": ["DJ44"]], from: "2024-01", to: "2026-11", minAge: 40,
        dates: .month, ages: .fiveYears)

    static let kolCount = StatisticsQuery(measure: .count, population: [.init("condition", "DJ44")])

    @Test func aCohortIsLoadedPseudonymisedWithOnlyWhatIsApproved() async throws {
        let folder = Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await Self.withCohort(persons: 1500) { source, cohort in
            let store = try AnalysisStore(path: folder.appendingPathComponent("analysis.sqlite").path)
            let ingest = Ingest(store: store, client: BulkDataClient(http: Self.http), scratch: folder)
            let key = ProjectKey.generate()
            // One citizen opted out of secondary use.
            let patients = try String(contentsOf: cohort.appendingPathComponent("Patient.ndjson"), encoding: .utf8)
                .split(separator: "\n").map { try JSONValue.parse(Data($0.utf8)) }
            let cprs = patients.compactMap { $0["identifier"]?.listValue.first?["value"]?.stringValue }
            let adult = try #require(patients.first { Int($0["birthDate"]?.stringValue?.prefix(4) ?? "") ?? 2026 < 1970 })
            let optedOut = try #require(adult["identifier"]?.listValue.first?["value"]?.stringValue)
            let report = try await ingest.run(
                project: "kol-akut", request: Self.kol, key: key, sources: [source], optedOut: [optedOut])
            #expect(report.optedOut == 1)
            #expect(report.persons > 500 && report.persons < 1000, "the over-40s: \(report)")
            #expect(report.outsidePopulation > 0 && report.outsideApproval > 0, "\(report)")
            let size = try store.size(of: "kol-akut")
            #expect(size.persons == report.persons && size.facts == report.facts && size.loaded != nil)
            // Only KOL among the diagnoses, no labs or medication, months only, birth years in 5-year bands.
            let (kinds, codes, periods, births) = try await store.pool.read { db in
                (
                    try String.fetchAll(db, sql: "SELECT DISTINCT kind FROM fact"),
                    try String.fetchAll(db, sql: "SELECT DISTINCT code FROM fact WHERE kind = 'condition'"),
                    try String.fetchAll(db, sql: "SELECT DISTINCT period FROM fact"),
                    try Int.fetchAll(db, sql: "SELECT DISTINCT birth FROM person")
                )
            }
            #expect(Set(kinds) == ["condition", "encounter"])
            #expect(codes.allSatisfy { $0.hasPrefix("DJ44") } && !codes.isEmpty)
            #expect(periods.allSatisfy { $0.count == 7 && $0 >= "2024-01" && $0 <= "2026-11" })
            #expect(births.allSatisfy { $0 % 5 == 0 })
            // The opted-out citizen's pseudonym is nowhere.
            let gone = key.pseudonym(try CPRNumber(optedOut))
            #expect(
                try await store.pool.read {
                    try Int.fetchOne($0, sql: "SELECT count(*) FROM person WHERE pid = ?", arguments: [gone])
                } == 0)
            // No CPR number, name, street or note anywhere in the file (nor its write-ahead log).
            _ = try await store.pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
            var bytes = try Data(contentsOf: URL(fileURLWithPath: store.path))
            if let wal = FileManager.default.contents(atPath: store.path + "-wal") { bytes.append(wal) }
            let text = String(decoding: bytes, as: UTF8.self)
            for cpr in cprs.prefix(300) { #expect(!text.contains(cpr), "\(cpr) in the store") }
            for word in ["Test", "Jensen", "Berggren", "vej", "fortalte", "København", "+45"] {
                #expect(!text.contains(word), "\(word) in the store")
            }
        }
    }

    @Test func anOptOutAfterTheIngestRemovesThePersonFromEveryProject() async throws {
        let folder = Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await Self.withCohort(persons: 300) { source, cohort in
            let store = try AnalysisStore(path: folder.appendingPathComponent("analysis.sqlite").path)
            let ingest = Ingest(store: store, client: BulkDataClient(http: Self.http), scratch: folder)
            let keys = ["a": ProjectKey.generate(), "b": ProjectKey.generate()]
            let all = DataRequest(types: DataRequest.factTypes)
            for (project, key) in keys {
                _ = try await ingest.run(project: project, request: all, key: key, sources: [source], optedOut: [])
            }
            let first = try String(contentsOf: cohort.appendingPathComponent("Patient.ndjson"), encoding: .utf8)
                .split(separator: "\n").first.map { try JSONValue.parse(Data($0.utf8)) }
            let cpr = try CPRNumber(try #require(first?["identifier"]?.listValue.first?["value"]?.stringValue))
            #expect(keys["a"]!.pseudonym(cpr) != keys["b"]!.pseudonym(cpr), "no linking across projects")
            let before = try store.size(of: "a")
            #expect(try store.remove(cpr, keys: keys) == 2)
            let after = try store.size(of: "a")
            #expect(after.persons == before.persons - 1 && after.facts < before.facts)
            #expect(try store.remove(cpr, keys: keys) == 0, "once")
        }
    }

    @Test func aProjectKeyIsKeptApartAndAMissingOneIsSaid() throws {
        let folder = Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let keys = ProjectKeys(path: folder.appendingPathComponent("keys/research-keys.json").path)
        do {
            _ = try keys.key(for: "nope")
            Issue.record("a key for a project that has none")
        } catch {
            #expect(Catalog.danish.text(error.phrase).contains("ingen pseudonymnøgle"))
        }
        let made = try keys.make(for: "p1")
        #expect(try keys.make(for: "p1") == made, "kept")
        #expect(try keys.key(for: "p1") == made)
        let mode = try FileManager.default.attributesOfItem(atPath: keys.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        try Data("{\"p1\":\"short\"}".utf8).write(to: URL(fileURLWithPath: keys.path))
        #expect(throws: ResearchError.self) { try keys.all() }
    }

    /// A source as broken as a real one can be, one way at a time: each export refused in words, and the project's
    /// earlier data untouched.
    @Test(arguments: BrokenSource.Fault.allCases)
    func aBrokenExportLoadsNothing(fault: BrokenSource.Fault) async throws {
        let folder = Self.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try AnalysisStore(path: folder.appendingPathComponent("analysis.sqlite").path)
        let ingest = Ingest(store: store, client: BulkDataClient(http: Self.http, deadline: .seconds(3)), scratch: folder)
        let key = ProjectKey.generate()
        let request = DataRequest(types: ["Condition"])
        try await BrokenSource.with(.none) { good in
            _ = try await ingest.run(project: "p", request: request, key: key, sources: [good], optedOut: [])
        }
        let before = try store.size(of: "p")
        #expect(before.persons == 2 && before.facts == 1)
        guard fault != .none else { return }
        try await BrokenSource.with(fault) { broken in
            do {
                _ = try await ingest.run(project: "p", request: request, key: key, sources: [broken], optedOut: [])
                Issue.record("\(fault): loaded")
            } catch let error as ResearchError {
                let words = Catalog.danish.text(error.phrase)
                #expect(words.contains(fault.words), "\(fault): \(words)")
            }
        }
        let after = try store.size(of: "p")
        #expect(after.persons == before.persons && after.facts == before.facts && after.loaded == before.loaded)
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("ingest-") }
        #expect(left.isEmpty, "no downloaded files left: \(left)")
    }
}

/// A Bulk Data source of two patients and a diagnosis, written by hand so that it can break as real ones do.
enum BrokenSource {
    enum Fault: String, CaseIterable, Sendable {
        case none, badLine, manifestGarbage, manifestElsewhere, stopsHalfway, refuses, errorsInManifest, neverDone
        var words: String {
            switch self {
            case .none: ""
            case .badLine: "Linje 2 i Condition-eksporten"
            case .manifestGarbage: "manifest fra test kan ikke læses"
            case .manifestElsewhere: "peger på en anden server"
            case .stopsHalfway: "stoppede halvvejs"
            case .refuses: "ville ikke eksportere: Ingen adgang"
            case .errorsInManifest: "meldte 1 fejl"
            case .neverDone: "blev ikke færdig"
            }
        }
    }

    static let patients = """
        {"resourceType":"Patient","id":"1","identifier":[{"system":"urn:oid:1.2.208.176.1.2","value":"2509479989"}],"gender":"male","birthDate":"1947-09-25"}
        {"resourceType":"Patient","id":"2","identifier":[{"system":"urn:oid:1.2.208.176.1.2","value":"2512489996"}],"gender":"female","birthDate":"1948-12-25"}

        """
    static let conditions = """
        {"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/1"},"code":{"coding":[{"system":"urn:oid:1.2.208.176.2.4.12","code":"DJ44"}]},"onsetDateTime":"2025-03-01"}

        """

    static func with(_ fault: Fault, _ body: (BulkDataClient.Source) async throws -> Void) async throws {
        let router = Router()
        let base = Mutex("")
        router.get("fhir/metadata") { _, _ in
            #"{"resourceType":"CapabilityStatement","rest":[{"resource":[{"type":"Patient"},{"type":"Condition"}]}]}"#
        }
        router.get("fhir/$export") { _, _ in
            if fault == .refuses {
                return Response(
                    status: .forbidden,
                    body: .init(
                        byteBuffer: ByteBuffer(
                            string:
                                #"{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden","diagnostics":"Ingen adgang"}]}"#
                        )))
            }
            return Response(status: .accepted, headers: [.contentLocation: base.withLock { $0 } + "/fhir/status/1"])
        }
        router.get("fhir/status/1") { _, _ in
            let here = base.withLock { $0 }
            let manifest: String
            switch fault {
            case .neverDone: return Response(status: .accepted, headers: [.retryAfter: "1"])
            case .manifestGarbage: manifest = "<html>not json"
            case .manifestElsewhere:
                manifest = #"{"output":[{"type":"Patient","url":"http://evil.example/steal","count":2}],"error":[]}"#
            case .errorsInManifest:
                manifest = #"{"output":[],"error":[{"type":"OperationOutcome","url":"\#(here)/fhir/files/e"}]}"#
            default:
                manifest = """
                    {"transactionTime":"2026-12-01T00:00:00Z","request":"\(here)/fhir/$export","requiresAccessToken":true,
                     "output":[{"type":"Patient","url":"\(here)/fhir/files/p","count":2},
                               {"type":"Condition","url":"\(here)/fhir/files/c","count":\(fault == .stopsHalfway ? 5 : fault == .badLine ? 2 : 1)}],"error":[]}
                    """
            }
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: manifest)))
        }
        router.delete("fhir/status/1") { _, _ in Response(status: .accepted) }
        router.get("fhir/files/p") { _, _ in patients }
        router.get("fhir/files/c") { _, _ in
            fault == .badLine ? conditions + "{\"resourceType\": not json\n" : conditions
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "broken-source")
        logger.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let here = "http://127.0.0.1:\(port)"
            base.withLock { $0 = here }
            do {
                try await body(BulkDataClient.Source(id: "test", base: here + "/fhir", token: "t"))
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }
}
