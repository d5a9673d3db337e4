import FHIR
import Foundation
import Testing
import Words

@testable import Research

/// One application process, as a researcher and a data controller meet it, and the openness the public is owed:
/// every project listed with its owner, purpose, data, status, approval date and how many queries it has run.
@Suite(.timeLimit(.minutes(3))) struct ProjectTests {
    static func application(_ id: String = "kol-akut") -> ResearchProject {
        ResearchProject(
            id: id, title: "Akutte indlæggelser ved KOL", purpose: "Udviklingen i akutte ankomster blandt KOL-patienter",
            legalBasis: "Sundhedsloven § 46", organization: "Region Hovedstaden, Center for Klinisk Forskning",
            applicant: "Forsker Testesen", data: IngestTests.kol)
    }

    static func words(_ error: ResearchError) -> String { Catalog.danish.text(error.phrase) }

    @Test func anApplicationIsDecidedOnceAndListedForEveryone() async throws {
        let folder = IngestTests.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try AnalysisStore(path: folder.appendingPathComponent("analysis.sqlite").path)
        try store.apply(Self.application())
        // Not yet approved: no answers, no data.
        do {
            _ = try store.ask(IngestTests.kolCount, project: "kol-akut")
            Issue.record("an application was answered")
        } catch {
            #expect(Self.words(error).contains("ikke godkendt"))
        }
        let keys = ProjectKeys(path: folder.appendingPathComponent("keys.json").path)
        let ingest = Ingest(store: store, client: BulkDataClient(http: IngestTests.http), scratch: folder)
        do {
            _ = try await ingest.run(approved: try store.project("kol-akut"), keys: keys, sources: [], optedOut: [])
            Issue.record("an application was loaded")
        } catch {
            #expect(Self.words(error).contains("ikke godkendt"))
        }
        var listing = try store.publicListing()["projects"]?.listValue.first
        #expect(listing?["status"]?.stringValue == "applied" && listing?["approved"] == nil)
        #expect(listing?["organization"]?.stringValue == "Region Hovedstaden, Center for Klinisk Forskning")
        #expect(listing?["data"]?["codes"]?["Condition"] == .array([.string("DJ44")]))
        // A refusal needs its reason; an approval is final.
        #expect(throws: ResearchError.self) { try store.decide("kol-akut", approve: false, by: "Dataansvarlig", reason: " ") }
        try store.decide("kol-akut", approve: true, by: "Dataansvarlig Test", reason: nil)
        #expect(throws: ResearchError.self) { try store.decide("kol-akut", approve: false, by: "x", reason: "nej") }
        listing = try store.publicListing()["projects"]?.listValue.first
        #expect(listing?["status"]?.stringValue == "approved" && listing?["approved"] != nil)
        // Approved, but its key is gone: nothing is loaded, and it is said.
        do {
            _ = try await ingest.run(approved: try store.project("kol-akut"), keys: keys, sources: [], optedOut: [])
            Issue.record("loaded without a key")
        } catch {
            #expect(Self.words(error).contains("ingen pseudonymnøgle"))
        }
        try keys.make(for: "kol-akut")
        try await IngestTests.withCohort(persons: 400) { source, _ in
            let report = try await ingest.run(
                approved: try store.project("kol-akut"), keys: keys, sources: [source], optedOut: [])
            #expect(report.persons > 0)
        }
        _ = try store.ask(IngestTests.kolCount, project: "kol-akut")
        listing = try store.publicListing()["projects"]?.listValue.first
        #expect(listing?["queries"] == .number(1))
        // A refused project is listed with its reason.
        try store.apply(Self.application("alle-data"))
        try store.decide("alle-data", approve: false, by: "Dataansvarlig Test", reason: "Formålet kræver ikke data om alle")
        let refused = try store.publicListing()["projects"]?.listValue.first { $0["id"]?.stringValue == "alle-data" }
        #expect(refused?["status"]?.stringValue == "refused" && refused?["reason"]?.stringValue?.contains("Formålet") == true)
    }

    @Test func anIncompleteOrDuplicateApplicationIsRefusedInWords() throws {
        let folder = IngestTests.scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try AnalysisStore(path: folder.appendingPathComponent("analysis.sqlite").path)
        try store.apply(Self.application())
        var cases: [(ResearchProject, String)] = []
        cases.append((Self.application(), "allerede et projekt"))
        cases.append((Self.application("X!"), "kan ikke bruges"))
        var noPurpose = Self.application("uden-formaal")
        noPurpose.purpose = "  "
        cases.append((noPurpose, "mangler purpose"))
        var badData = Self.application("forkerte-data")
        badData.data.types = ["Patient", "Secrets"]
        cases.append((badData, "findes ikke på analyseplatformen"))
        var backwards = Self.application("baglaens")
        backwards.data.from = "2026-01"
        backwards.data.to = "2025-01"
        cases.append((backwards, "slutter før"))
        for (application, words) in cases {
            do {
                try store.apply(application)
                Issue.record("\(application.id) was filed")
            } catch {
                #expect(Self.words(error).contains(words), "\(application.id): \(Self.words(error))")
            }
        }
        #expect(try store.projects().count == 1)
        #expect(throws: ResearchError.self) { try store.decide("findes-ikke", approve: true, by: "x", reason: nil) }
    }
}
