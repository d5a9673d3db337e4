import AsyncHTTPClient
import DemoSources
import FHIR
import Foundation
import NIOCore
import Platform

/// What the gateway adds to a request: the same FHIR search straight to the source and through the gateway (token
/// check, rate limit, care relationship and blocks (cached), an audit entry written to SQLite, the extra hop),
/// alternated in one run on loopback; then requests per second through the gateway with 16 concurrent clients.
enum GatewayBench {
    static func run(data: DemoDataSet, iterations: Int, report: inout BenchReport) async throws {
        let cluster = try DemoSourceCluster(data: data, ports: .ephemeral)
        try await cluster.start()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("overblik-bench-gw-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let storage = try SQLiteStorage(path: folder.appendingPathComponent("platform.sqlite").path)
        var sources: [GatewaySource] = []
        for source in data.manifest.sources {
            guard let url = await cluster.server(source.id)?.baseURL else { continue }
            sources.append(
                GatewaySource(
                    id: source.id, name: source.name, sector: source.sector, fhir: url,
                    kind: source.isClinical ? .clinical : .preferences))
        }
        var limits = Gateway.Limits()
        limits.userRate = 1_000_000
        limits.userBurst = 1_000_000
        limits.clientRate = 1_000_000
        limits.clientBurst = 1_000_000
        let users = try Identity.loadUsers(file: data.directory.appendingPathComponent("users.json"))
        let gateway = Gateway(
            sources: sources, tokens: try await TokenAuthority.ephemeral(), users: users, storage: storage, limits: limits)
        let engine = EventEngine(storage: storage, sources: [:])
        let server = try await PlatformServer.start(engine: engine, gateway: gateway)
        let token = try await gateway.issueDemoToken(user: "egen-laege").token
        let patientID = data.manifest.patients.first { $0.cpr == "2509479989" }?.sources["gp"] ?? ""
        let gp = sources.first { $0.id == "gp" }?.fhir ?? ""
        let direct = "\(gp)/Condition?patient=\(patientID)"
        let through = "\(server.baseURL)/sources/gp/fhir/Condition?patient=\(patientID)"

        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        func get(_ url: String, _ token: String?) async throws {
            var request = HTTPClientRequest(url: url)
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            let response = try await http.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 16 << 20)
            guard response.status == .ok else { throw BenchFailure("\(url): HTTP \(response.status.code)") }
        }
        let clock = ContinuousClock()
        for _ in 0..<20 {
            try await get(direct, nil)
            try await get(through, token)
        }
        var directSamples: [Double] = []
        var gatewaySamples: [Double] = []
        for _ in 0..<iterations {
            var start = clock.now
            try await get(direct, nil)
            directSamples.append((clock.now - start).milliseconds)
            start = clock.now
            try await get(through, token)
            gatewaySamples.append((clock.now - start).milliseconds)
        }
        for (name, samples) in [("direct", directSamples), ("through_gateway", gatewaySamples)] {
            report.add("gateway_\(name)_p50_ms", BenchReport.percentile(samples, 0.50))
            report.add("gateway_\(name)_p99_ms", BenchReport.percentile(samples, 0.99))
        }
        report.add(
            "gateway_overhead_p50_ms",
            BenchReport.percentile(gatewaySamples, 0.50) - BenchReport.percentile(directSamples, 0.50))
        report.add(
            "gateway_overhead_p99_ms",
            BenchReport.percentile(gatewaySamples, 0.99) - BenchReport.percentile(directSamples, 0.99))

        // Throughput: 16 clients as fast as they can for 3 seconds.
        let started = clock.now
        let done = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    var count = 0
                    while clock.now - started < .seconds(3) {
                        if (try? await get(through, token)) != nil { count += 1 }
                    }
                    return count
                }
            }
            var total = 0
            for await count in group { total += count }
            return total
        }
        report.add("gateway_requests_per_s", Double(done) / (clock.now - started).milliseconds * 1000)
        let audited = try await storage.auditEntries(patient: "2509479989", emergencyOnly: false, after: 0, limit: 1_000_000)
        report.add("gateway_audit_entries", Double(audited.count))
        try? await http.shutdown()
        await server.stop()
        await cluster.stop()
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
