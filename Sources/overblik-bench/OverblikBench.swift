import ArgumentParser
import AsyncHTTPClient
import DemoSources
import FHIR
import Federation
import Foundation

/// Benchmarks, printed as JSON. Build with `-c release` (`make bench`); never run in CI.
@main
struct OverblikBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overblik-bench", abstract: "Måler ydelse (release-build) og skriver tallene som JSON.")

    @Option(help: "Gentagelser pr. måling.")
    var iterations = 200

    @Option(help: "Mappe med demodata.")
    var data: String?

    @Option(help: "Kun én del: warm, cold, decode, tui, gateway, summary, apps, research, events eller cluster.")
    var only: String?

    @Option(help: "Kohortestørrelser i forskningsmålingen, kommasepareret.")
    var researchPersons = "10000,100000"

    @Option(help: "PostgreSQL til klyngemålingen (ellers startes en midlertidig).")
    var postgres: String?

    @Option(help: "Adgangslogposter pr. lager i klyngemålingen.")
    var audits = 4000

    @Option(help: "Hændelser pr. sekund i hændelsesmålingen.")
    var eventRate = 200

    @Option(help: "Sekunder hændelsesmålingen varer.")
    var eventSeconds = 10

    @Option(help: "SSE-abonnenter i hændelsesmålingen.")
    var subscribers = 100

    func run() async throws {
        guard let directory = data.map({ URL(fileURLWithPath: $0) }) ?? DemoDataSet.locateDirectory() else {
            throw ValidationError("Fandt ikke demo-data/; angiv --data")
        }
        var report = BenchReport()
        let clock = ContinuousClock()
        if only == "cluster" {
            try await ClusterBench.run(
                postgres: postgres ?? ProcessInfo.processInfo.environment["SUNDHEDSCLOUD_BENCH_POSTGRES"],
                rate: eventRate, seconds: eventSeconds, subscribers: subscribers, audits: audits, report: &report)
            FileHandle.standardOutput.write(try report.json())
            return
        }
        if only == "research" {
            let sizes = researchPersons.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            try await ResearchBench.run(sizes: sizes, iterations: max(20, iterations / 4), report: &report)
            FileHandle.standardOutput.write(try report.json())
            return
        }
        if only == "events" {
            try await EventBench.run(rate: eventRate, seconds: eventSeconds, subscribers: subscribers, report: &report)
            FileHandle.standardOutput.write(try report.json())
            return
        }

        var start = clock.now
        let dataSet = try DemoDataSet.load(from: directory, dateShift: DateShift.none)
        report.add("demo_data_load_ms", (clock.now - start).milliseconds)
        report.add("demo_data_resources", Double(dataSet.resources.values.map(\.count).reduce(0, +)))

        start = clock.now
        let cluster = try DemoSourceCluster(data: dataSet, ports: .ephemeral)
        try await cluster.start()
        report.add("demo_sources_start_ms", (clock.now - start).milliseconds)

        if only == "gateway" {
            await cluster.stop()
            try await GatewayBench.run(data: dataSet, iterations: iterations * 5, report: &report)
            FileHandle.standardOutput.write(try report.json())
            return
        }
        if only == "apps" {
            await cluster.stop()
            try await AppCloudBench.run(data: dataSet, iterations: iterations, report: &report)
            FileHandle.standardOutput.write(try report.json())
            return
        }
        if only == "summary" {
            await cluster.stop()
            try await SummaryBench.run(data: dataSet, iterations: iterations, report: &report)
            FileHandle.standardOutput.write(try report.json())
            return
        }
        if only == "warm" {
            await cluster.stop()
            try await FederationBench.runWarm(data: dataSet, iterations: iterations, report: &report)
            FileHandle.standardOutput.write(try report.json())
            return
        }
        if only == "decode" {
            try await FederationBench.runDecode(data: dataSet, iterations: iterations, report: &report)
            await cluster.stop()
            FileHandle.standardOutput.write(try report.json())
            return
        }
        if only == "tui" {
            await cluster.stop()
            try await TUIBench.run(data: dataSet, iterations: iterations, report: &report)
            FileHandle.standardOutput.write(try report.json())
            return
        }
        if only == "cold" {
            await cluster.stop()
            try await FederationBench.runCold(data: dataSet, iterations: max(10, iterations / 4), report: &report)
            FileHandle.standardOutput.write(try report.json())
            return
        }
        let hospital = await cluster.server("hospital")?.baseURL ?? ""
        let large = dataSet.manifest.patients.first { $0.tags.contains("large") }?.sources["hospital"] ?? "1004"
        let cpr = "urn:oid:1.2.208.176.1.2%7C2509479989"
        try await report.latency("source_patient_by_cpr", iterations) {
            _ = try await Self.fetch("\(hospital)/Patient?identifier=\(cpr)")
        }
        try await report.latency("source_encounters_sorted", iterations) {
            _ = try await Self.fetch("\(hospital)/Encounter?patient=1000&_sort=-date")
        }
        try await report.latency("source_large_patient_all_pages", max(5, iterations / 20)) {
            var url: String? = "\(hospital)/Observation?patient=\(large)&_count=500"
            while let next = url {
                let bundle = try FHIRJSON.decode(FHIR.Bundle.self, from: try await Self.fetch(next))
                url = bundle.link("next")
            }
        }
        await cluster.stop()
        try await FederationBench.run(data: dataSet, iterations: max(10, iterations / 4), report: &report)
        try await TUIBench.run(data: dataSet, iterations: iterations, report: &report)
        try await GatewayBench.run(data: dataSet, iterations: iterations * 5, report: &report)
        try await SummaryBench.run(data: dataSet, iterations: iterations, report: &report)
        try await AppCloudBench.run(data: dataSet, iterations: iterations, report: &report)
        try await EventBench.run(rate: eventRate, seconds: eventSeconds, subscribers: subscribers, report: &report)
        FileHandle.standardOutput.write(try report.json())
    }

    static func fetch(_ url: String) async throws -> Data {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        guard response.status == .ok else { throw ValidationError("\(url): HTTP \(response.status.code)") }
        return Data(body.readableBytesView)
    }
}

/// Figures collected by the benchmark, written as one JSON object.
struct BenchReport {
    private var figures: [String: Double] = [:]

    mutating func add(_ name: String, _ value: Double) {
        figures[name] = (value * 1000).rounded() / 1000
    }

    /// Runs `body` `count` times (after a short warm-up) and records p50, p95 and p99 in milliseconds.
    mutating func latency(_ name: String, _ count: Int, _ body: () async throws -> Void) async throws {
        let clock = ContinuousClock()
        for _ in 0..<min(5, count) { try await body() }
        var samples: [Double] = []
        for _ in 0..<count {
            let start = clock.now
            try await body()
            samples.append((clock.now - start).milliseconds)
        }
        add("\(name)_p50_ms", Self.percentile(samples, 0.50))
        add("\(name)_p95_ms", Self.percentile(samples, 0.95))
        add("\(name)_p99_ms", Self.percentile(samples, 0.99))
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(figures) + Data("\n".utf8)
    }
}

extension Duration {
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
