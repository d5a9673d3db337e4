import Assembly
import AsyncHTTPClient
import DemoSources
import FHIR
import Federation
import Foundation
import Platform

/// The patient summary ([3/6]): `$summary` on a node whose every source answers after 50 ms, against the slowest
/// source alone read the same way (through the gateway, finding the patient and then its searches, as the summary
/// service reads each one); summaries per second with several callers at once; the 2,000-resource patient, with
/// the sources at 50 ms and with no added latency.
///
/// Everything runs in this process on loopback, plain HTTP (the TLS cost of a gateway hop is `gateway_tls_*`).
enum SummaryBench {
    static let latencyMs = 50

    struct Node {
        let cluster: DemoSourceCluster
        let server: PlatformServer
        let http: HTTPClient
        let token: String
        let folder: URL
        /// The sources with clinical data (the summary's), not the preferences service.
        let clinical: Set<String>

        var base: String { server.baseURL }

        /// One `$summary`, its size in bytes.
        func summary(_ cpr: String) async throws -> Int {
            var request = HTTPClientRequest(url: "\(base)/Patient/$summary?identifier=urn:oid:1.2.208.176.1.2%7C\(cpr)")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Accept", value: "application/fhir+json")
            let response = try await http.execute(request, timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 64 << 20)
            guard response.status == .ok else { throw BenchFailure("$summary \(cpr): HTTP \(response.status.code)") }
            return body.readableBytes
        }

        /// The clinical sources as the summary service reaches them: through this node's gateway with the token.
        func client() async -> (FederatedClient, [SourceDefinition]) {
            let login = GatewayLogin(gatewayURL: base, token: token, http: http)
            var sources: [SourceDefinition] = []
            for server in cluster.servers where clinical.contains(server.id) {
                sources.append(
                    SourceDefinition(
                        id: server.id, name: server.name, sector: Sector(rawValue: server.sector) ?? .other,
                        fhir: "\(base)/sources/\(server.id)/fhir", timeoutMs: 30_000))
            }
            let client = FederatedClient(
                registry: SourceRegistry(sources: sources), client: FHIRHTTPClient(http: http, login: login), cache: nil)
            return (client, sources)
        }

        func stop() async {
            try? await http.shutdown()
            await server.stop()
            await cluster.stop()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    /// A node on SQLite in `folder` over the demo sources (each with `faults`), rate limits out of the way.
    static func node(
        data: DemoDataSet, folder: URL, faults: [String: FaultSettings] = [:]
    ) async throws -> (DemoSourceCluster, PlatformServer) {
        let cluster = try DemoSourceCluster(data: data, ports: .ephemeral, faults: faults)
        try await cluster.start()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let storage = try SQLiteStorage(path: folder.appendingPathComponent("platform.sqlite").path)
        var node = PlatformAssembly.Configuration(storage: storage, tokens: try await TokenAuthority.ephemeral())
        node.sources = await SourceDefinition.demo(cluster)
        node.limits.userRate = 1_000_000
        node.limits.userBurst = 1_000_000
        node.limits.clientRate = 1_000_000
        node.limits.clientBurst = 1_000_000
        node.users = try Identity.loadUsers(file: data.directory.appendingPathComponent("users.json"))
        return (cluster, try await PlatformAssembly.start(node))
    }

    static func start(data: DemoDataSet, latencyMs: Int) async throws -> Node {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("overblik-bench-ips-\(UUID().uuidString)")
        var faults: [String: FaultSettings] = [:]
        for source in data.manifest.sources { faults[source.id] = FaultSettings(latencyMs: latencyMs) }
        let (cluster, server) = try await node(data: data, folder: folder, faults: faults)
        // The GP: both Bruno and Karen (the large patient) are on the practice's list.
        let token = try await server.gateway!.issueDemoToken(user: "egen-laege").token
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        return Node(
            cluster: cluster, server: server,
            http: HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration), token: token,
            folder: folder, clinical: Set(data.manifest.sources.filter(\.isClinical).map(\.id)))
    }

    static func run(data: DemoDataSet, iterations: Int, report: inout BenchReport) async throws {
        let bruno = "2509479989"
        guard let large = data.manifest.patients.first(where: { $0.tags.contains("large") }) else {
            throw BenchFailure("the demo data has no patient tagged large")
        }
        let clock = ContinuousClock()

        // Bruno, every source at 50 ms. Each round: the summary, then each source alone, in turn.
        let slow = try await start(data: data, latencyMs: latencyMs)
        let (client, sources) = await slow.client()
        let cpr = try CPRNumber(bruno)
        for _ in 0..<5 {
            _ = try await slow.summary(bruno)
            for source in sources { _ = await client.fetch(source: source, cpr: cpr) }
        }
        var summaries: [Double] = []
        var slowest: [Double] = []
        var perSource: [String: [Double]] = [:]
        var bytes = 0
        for _ in 0..<iterations {
            var start = clock.now
            bytes = try await slow.summary(bruno)
            summaries.append((clock.now - start).milliseconds)
            var slowestThisRound = 0.0
            for source in sources {
                start = clock.now
                let result = await client.fetch(source: source, cpr: cpr)
                let elapsed = (clock.now - start).milliseconds
                guard result.status.state == .ok else {
                    throw BenchFailure("\(source.id) through the gateway: \(result.status.state)")
                }
                perSource[source.id, default: []].append(elapsed)
                slowestThisRound = max(slowestThisRound, elapsed)
            }
            slowest.append(slowestThisRound)
        }
        let summaryP95 = BenchReport.percentile(summaries, 0.95)
        let slowestP95 = BenchReport.percentile(slowest, 0.95)
        report.add("summary_bruno_50ms_p50_ms", BenchReport.percentile(summaries, 0.50))
        report.add("summary_bruno_50ms_p95_ms", summaryP95)
        report.add("summary_bruno_50ms_p99_ms", BenchReport.percentile(summaries, 0.99))
        report.add("summary_bruno_slowest_source_alone_p95_ms", slowestP95)
        for (id, values) in perSource {
            report.add("summary_bruno_source_\(id)_alone_p95_ms", BenchReport.percentile(values, 0.95))
        }
        report.add("summary_bruno_p95_over_slowest_source_p95", slowestP95 > 0 ? summaryP95 / slowestP95 : 0)
        report.add("summary_bruno_bytes", Double(bytes))
        try await report.latency("summary_large_patient_50ms", max(20, iterations / 2)) {
            _ = try await slow.summary(large.cpr)
        }

        // Several callers at once (8, then 12: the named load and half as much again), 3 seconds each.
        for callers in [8, 12] {
            let started = clock.now
            let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
                for _ in 0..<callers {
                    group.addTask {
                        var mine: [Double] = []
                        while clock.now - started < .seconds(3) {
                            let start = clock.now
                            _ = try await slow.summary(bruno)
                            mine.append((clock.now - start).milliseconds)
                        }
                        return mine
                    }
                }
                var all: [Double] = []
                for try await mine in group { all += mine }
                return all
            }
            let seconds = (clock.now - started).milliseconds / 1000
            report.add("summary_bruno_50ms_\(callers)_callers_per_s", Double(latencies.count) / seconds)
            report.add("summary_bruno_50ms_\(callers)_callers_p95_ms", BenchReport.percentile(latencies, 0.95))
        }
        await slow.stop()

        // The large patient (about 2,000 resources at the hospital), sources with no added latency.
        let fast = try await start(data: data, latencyMs: 0)
        let largeCount = large.resources.values.reduce(0, +)
        report.add("summary_large_patient_resources", Double(largeCount))
        var largeBytes = 0
        try await report.latency("summary_large_patient", max(20, iterations / 2)) {
            largeBytes = try await fast.summary(large.cpr)
        }
        report.add("summary_large_patient_bytes", Double(largeBytes))
        await fast.stop()
    }
}
