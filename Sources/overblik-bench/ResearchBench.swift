import AsyncHTTPClient
import DemoSources
import FHIR
import Foundation
import Research

/// The analysis platform ([5/6]) as the population grows: for each size, the cohort made (`make cohort`'s
/// generator), served by a cohort source over loopback HTTP, ingested through Bulk Data (export, download,
/// pseudonymise, load in one transaction), then a grouped count asked again and again: emergency arrivals per month
/// and municipality among KOL patients, through disclosure control and the differencing check.
///
/// - `research_<n>_generate_s`, `research_<n>_resources`: the cohort and its size.
/// - `research_<n>_ingest_s`, `research_<n>_ingest_resources_per_s`: the whole ingest, resources read per second.
/// - `research_<n>_query_*`: the grouped count, p50/p95/p99 in ms.
enum ResearchBench {
    static func run(sizes: [Int], iterations: Int, report: inout BenchReport) async throws {
        for persons in sizes {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "overblik-bench-research-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let clock = ContinuousClock()
            var start = clock.now
            let manifest = try CohortGenerator(persons: persons).write(to: folder.appendingPathComponent("cohort"))
            report.add("research_\(persons)_generate_s", (clock.now - start).milliseconds / 1000)
            report.add("research_\(persons)_resources", Double(manifest.counts.values.reduce(0, +)))
            let server = DemoSourceServer(
                id: "cohort", name: "Kohorte", sector: "other",
                store: try ResourceStore(resources: [], supportedTypes: Set(CohortGenerator.types)),
                bulkSource: try CohortFiles(folder: folder.appendingPathComponent("cohort")))
            try await server.start()
            let http = HTTPClient(eventLoopGroupProvider: .singleton)
            let store = try AnalysisStore(path: folder.appendingPathComponent("analysis.sqlite").path)
            let ingest = Ingest(store: store, client: BulkDataClient(http: http), scratch: folder)
            let request = DataRequest(types: DataRequest.factTypes, dates: .month, ages: .fiveYears)
            let source = BulkDataClient.Source(id: "cohort", base: await server.baseURL ?? "", token: server.exportSecret)
            start = clock.now
            let loaded = try await ingest.run(
                project: "bench", request: request, key: .generate(), sources: [source], optedOut: [])
            let seconds = (clock.now - start).milliseconds / 1000
            report.add("research_\(persons)_ingest_s", seconds)
            report.add("research_\(persons)_ingest_resources_per_s", Double(loaded.read) / seconds)
            let query = StatisticsQuery(
                measure: .count, of: .init("encounter", "EMER"), population: [.init("condition", "DJ44")],
                by: [.period, .municipality])
            try await report.latency("research_\(persons)_query", iterations) {
                _ = try store.answer(query, project: "bench", approved: request)
            }
            try await http.shutdown()
            await server.shutdown()
        }
    }
}
