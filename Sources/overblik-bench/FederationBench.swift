import Crypto
import DemoSources
import FHIR
import Federation
import Foundation

/// Figures for the federated client ([2/5]): cold overviews with 3 and 8 sources at 50 ms latency each, against the
/// slowest single source alone and against a serial fan-out; the warm overview of the large patient; the cache's
/// size per 1,000 resources.
enum FederationBench {
    static let latencyMs = 50

    /// The registry entries for a running demo cluster.
    static func definitions(_ cluster: DemoSourceCluster) async -> [SourceDefinition] {
        var definitions: [SourceDefinition] = []
        for server in cluster.servers {
            definitions.append(
                SourceDefinition(
                    id: server.id, name: server.name, sector: Sector(rawValue: server.sector) ?? .other,
                    fhir: await server.baseURL ?? "", timeoutMs: 10_000))
        }
        return definitions
    }

    static func run(data: DemoDataSet, iterations: Int, report: inout BenchReport) async throws {
        let base = try DemoSourceCluster(data: data, ports: .ephemeral)
        try await runCold(data: data, iterations: iterations, report: &report, base: base)
        try await runWarm(data: data, iterations: iterations, report: &report, base: base)
    }

    /// Cold: 3 and 8 sources at 50 ms latency each, every overview with a new client and no cache.
    static func runCold(
        data: DemoDataSet, iterations: Int, report: inout BenchReport, base: DemoSourceCluster? = nil
    ) async throws {
        let base = try base ?? DemoSourceCluster(data: data, ports: .ephemeral)
        var stores: [(String, String, ResourceStore)] = []
        for server in base.servers { stores.append((server.id, server.sector, server.store)) }
        let http = FHIRHTTPClient(http: FHIRHTTPClient.makeHTTPClient())
        let bruno = try CPRNumber("2509479989")

        for count in [3, 8] {
            var servers: [DemoSourceServer] = []
            var definitions: [SourceDefinition] = []
            for index in 0..<count {
                let (id, sector, store) = stores[index % stores.count]
                let server = DemoSourceServer(
                    id: "\(id)-\(index)", name: "\(id) \(index)", sector: sector, store: store,
                    faults: FaultSettings(latencyMs: latencyMs))
                try await server.start()
                servers.append(server)
                definitions.append(
                    SourceDefinition(
                        id: server.id, name: server.name, sector: Sector(rawValue: sector) ?? .other,
                        fhir: await server.baseURL ?? "",
                        timeoutMs: 10_000))
            }
            let registry = SourceRegistry(sources: definitions)
            var cold: [Double] = []
            var serial: [Double] = []
            var slowestAlone: [Double] = []
            var cpu: [Double] = []
            var aloneCPU: [Double] = []
            let clock = ContinuousClock()
            for iteration in 0..<(iterations + 2) {
                // Cold: a new client (no memory) and no cache, every time.
                let client = FederatedClient(registry: registry, client: http, cache: nil)
                var start = clock.now
                let cpuStart = processCPUMilliseconds()
                _ = await client.overview(cpr: bruno)
                let parallel = (clock.now - start).milliseconds
                let parallelCPU = processCPUMilliseconds() - cpuStart
                var alone: [Double] = []
                var serialTotal = 0.0
                var slowestCPU = 0.0
                for source in registry.sources {
                    let fresh = FederatedClient(registry: registry, client: http, cache: nil)
                    start = clock.now
                    let sourceCPUStart = processCPUMilliseconds()
                    _ = await fresh.fetch(source: source, cpr: bruno)
                    let elapsed = (clock.now - start).milliseconds
                    if elapsed >= (alone.max() ?? 0) { slowestCPU = processCPUMilliseconds() - sourceCPUStart }
                    alone.append(elapsed)
                    serialTotal += elapsed
                }
                if iteration >= 2 {  // two warm-up rounds
                    cold.append(parallel)
                    serial.append(serialTotal)
                    slowestAlone.append(alone.max() ?? 0)
                    cpu.append(parallelCPU)
                    aloneCPU.append(slowestCPU)
                }
            }
            let p50 = BenchReport.percentile(cold, 0.5)
            let p95 = BenchReport.percentile(cold, 0.95)
            let slowest = BenchReport.percentile(slowestAlone, 0.5)
            report.add("overview_cold_\(count)_sources_p50_ms", p50)
            report.add("overview_cold_\(count)_sources_p95_ms", p95)
            report.add("overview_cold_\(count)_sources_slowest_single_source_p50_ms", slowest)
            report.add("overview_cold_\(count)_sources_p95_to_slowest_ratio", slowest > 0 ? p95 / slowest : 0)
            // CPU time of the whole process (demo servers and client) during the overview and during the slowest
            // single source: with every server in this process, CPU is shared by both sides.
            report.add("overview_cold_\(count)_sources_process_cpu_p50_ms", BenchReport.percentile(cpu, 0.5))
            report.add(
                "overview_cold_\(count)_sources_slowest_single_source_process_cpu_p50_ms", BenchReport.percentile(aloneCPU, 0.5))
            report.add("overview_serial_\(count)_sources_p50_ms", BenchReport.percentile(serial, 0.5))
            report.add("overview_serial_\(count)_sources_p95_ms", BenchReport.percentile(serial, 0.95))
            for server in servers { await server.stop() }
        }
        try await http.http.shutdown()
    }

    /// The client's CPU per answer: one page of 500 of the large patient's hospital Observations, parsed and
    /// sanitized, then decoded.
    static func runDecode(data: DemoDataSet, iterations: Int, report: inout BenchReport) async throws {
        let large = data.manifest.patients.first { $0.tags.contains("large") }?.sources["hospital"] ?? "1004"
        let observations = (data.resources["hospital"] ?? []).filter {
            $0["resourceType"]?.stringValue == "Observation" && $0["subject"]?["reference"]?.stringValue == "Patient/\(large)"
        }.prefix(500)
        let bundle: JSONValue = .object([
            "resourceType": .string("Bundle"), "type": .string("searchset"),
            "entry": .array(observations.map { .object(["resource": $0, "search": .object(["mode": .string("match")])]) }),
        ])
        let bytes = Data(bundle.serialized())
        var parsed = JSONValue.null
        try await report.latency("client_parse_sanitize_500_observations", iterations) {
            parsed = try bytes.withUnsafeBytes { try JSONValue.parseSanitized($0) }
        }
        try await report.latency("client_decode_500_observations", iterations) {
            _ = try JSONValueDecoder.decode(FHIR.Bundle.self, from: parsed)
        }
        report.add("client_decode_page_kib", Double(bytes.count) / 1024)
    }

    /// Warm: the large patient from the cache (memory in front of the encrypted file); and the cache's size.
    static func runWarm(
        data: DemoDataSet, iterations: Int, report: inout BenchReport, base: DemoSourceCluster? = nil
    ) async throws {
        let base = try base ?? DemoSourceCluster(data: data, ports: .ephemeral)
        let http = FHIRHTTPClient(http: FHIRHTTPClient.makeHTTPClient())
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("overblik-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cachePath = directory.appendingPathComponent("cache.sqlite").path
        let cache = try ResourceCache(path: cachePath, key: SymmetricKey(size: .bits256))
        try await base.start()
        let definitions = await definitions(base)
        let registry = SourceRegistry(sources: definitions)
        let large = data.manifest.patients.first { $0.tags.contains("large") }
        let largeCPR = try CPRNumber(large?.cpr ?? "1703589978")
        let client = FederatedClient(registry: registry, client: http, cache: cache)
        _ = await client.overview(cpr: largeCPR)
        try await report.latency("overview_warm_large_patient", iterations * 4) {
            _ = await client.overview(cpr: largeCPR)
        }
        // From the file alone (a new process): decrypt and decode, no memory.
        try await report.latency("overview_warm_large_patient_from_file", max(5, iterations / 2)) {
            _ = await FederatedClient(registry: registry, client: http, cache: cache).overview(cpr: largeCPR)
        }
        // Size per 1,000 resources: every patient through the cache.
        var resources = 0
        for patient in data.manifest.patients {
            let overview = await client.overview(cpr: try CPRNumber(patient.cpr))
            resources += overview.sources.map(\.resourceCount).reduce(0, +)
        }
        let stats = try cache.statistics()
        let fileBytes = (try? FileManager.default.attributesOfItem(atPath: cachePath)[.size] as? NSNumber)?.intValue ?? 0
        report.add("cache_resources", Double(resources))
        report.add("cache_payload_kib_per_1000_resources", Double(stats.bytes) / 1024 / Double(max(1, resources)) * 1000)
        report.add("cache_file_kib_per_1000_resources", Double(fileBytes) / 1024 / Double(max(1, resources)) * 1000)
        await base.stop()
        try await http.http.shutdown()
    }
}

/// CPU time used by this process so far (all threads), in milliseconds.
func processCPUMilliseconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) * 1000 + Double(time.tv_nsec) / 1e6
}
