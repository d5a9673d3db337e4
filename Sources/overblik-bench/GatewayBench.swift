import Assembly
import AsyncHTTPClient
import DemoSources
import FHIR
import Federation
import Foundation
import NIOCore
import Platform
import Transport

/// What the gateway adds to a request: the same FHIR search straight to the source and through the gateway (token
/// check, rate limit, care relationship and blocks (cached), an audit entry written to SQLite, the extra hop), on
/// loopback with keep-alive; then requests per second through the gateway with 16 concurrent clients.
///
/// Two set-ups side by side in one run, their requests alternated: plain HTTP everywhere, and TLS everywhere as
/// `serve --demo` runs it (the node on TLS, the sources on mutual TLS, every client verifying against the throwaway
/// CA). `gateway_tls_overhead_extra_p99_ms` is the TLS set-up's gateway overhead minus the plain one's.
enum GatewayBench {
    /// One set-up: sources, storage, node, a client and the two URLs.
    struct Setup {
        let cluster: DemoSourceCluster
        let server: PlatformServer
        let storage: SQLiteStorage
        let http: HTTPClient
        let token: String
        let direct: String
        let through: String
        let folder: URL

        func get(_ url: String, _ token: String?) async throws {
            var request = HTTPClientRequest(url: url)
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            let response = try await http.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 16 << 20)
            guard response.status == .ok else { throw BenchFailure("\(url): HTTP \(response.status.code)") }
        }

        func stop() async {
            try? await http.shutdown()
            await server.stop()
            await cluster.stop()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    static func setUp(data: DemoDataSet, tls: Bool) async throws -> Setup {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("overblik-bench-gw-\(UUID().uuidString)")
        let pki = tls ? try DemoPKI.make(in: folder.appendingPathComponent("tls")) : nil
        let cluster = try DemoSourceCluster(data: data, ports: .ephemeral, tls: try pki?.mutualServerTLS())
        try await cluster.start()
        let storage = try SQLiteStorage(path: folder.appendingPathComponent("platform.sqlite").path)
        let sources = await SourceDefinition.demo(cluster)
        var node = PlatformAssembly.Configuration(storage: storage, tokens: try await TokenAuthority.ephemeral())
        node.sources = sources
        node.limits.userRate = 1_000_000
        node.limits.userBurst = 1_000_000
        node.limits.clientRate = 1_000_000
        node.limits.clientBurst = 1_000_000
        node.users = try Identity.loadUsers(file: data.directory.appendingPathComponent("users.json"))
        node.trust = try pki?.gatewayTLS() ?? .system
        node.tls = try pki?.serverTLS()
        let server = try await PlatformAssembly.start(node)
        let token = try await server.gateway!.issueDemoToken(user: "egen-laege").token
        let patientID = data.manifest.patients.first { $0.cpr == "2509479989" }?.sources["gp"] ?? ""
        let gp = sources.first { $0.id == "gp" }?.fhir ?? ""
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
        // The bench asks the source directly too: it shows the gateway's certificate, as the gateway does.
        if let pki { configuration.tlsConfiguration = try pki.gatewayTLS().configuration }
        return Setup(
            cluster: cluster, server: server, storage: storage,
            http: HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration), token: token,
            direct: "\(gp)/Condition?patient=\(patientID)",
            through: "\(server.baseURL)/sources/gp/fhir/Condition?patient=\(patientID)", folder: folder)
    }

    static func run(data: DemoDataSet, iterations: Int, report: inout BenchReport) async throws {
        let plain = try await setUp(data: data, tls: false)
        let tls = try await setUp(data: data, tls: true)
        let clock = ContinuousClock()
        for setup in [plain, tls] {
            for _ in 0..<20 {
                try await setup.get(setup.direct, nil)
                try await setup.get(setup.through, setup.token)
            }
        }
        var samples: [String: [Double]] = [:]
        for _ in 0..<iterations {
            for (name, setup) in [("", plain), ("tls_", tls)] {
                var start = clock.now
                try await setup.get(setup.direct, nil)
                samples["\(name)direct", default: []].append((clock.now - start).milliseconds)
                start = clock.now
                try await setup.get(setup.through, setup.token)
                samples["\(name)through_gateway", default: []].append((clock.now - start).milliseconds)
            }
        }
        var overheadP99: [String: Double] = [:]
        for name in ["", "tls_"] {
            let direct = samples["\(name)direct"] ?? []
            let through = samples["\(name)through_gateway"] ?? []
            for (part, values) in [("direct", direct), ("through_gateway", through)] {
                report.add("gateway_\(name)\(part)_p50_ms", BenchReport.percentile(values, 0.50))
                report.add("gateway_\(name)\(part)_p99_ms", BenchReport.percentile(values, 0.99))
            }
            report.add(
                "gateway_\(name)overhead_p50_ms",
                BenchReport.percentile(through, 0.50) - BenchReport.percentile(direct, 0.50))
            overheadP99[name] = BenchReport.percentile(through, 0.99) - BenchReport.percentile(direct, 0.99)
            report.add("gateway_\(name)overhead_p99_ms", overheadP99[name] ?? 0)
        }
        report.add("gateway_tls_overhead_extra_p99_ms", (overheadP99["tls_"] ?? 0) - (overheadP99[""] ?? 0))

        // Throughput: 16 clients as fast as they can for 3 seconds, each set-up in turn.
        for (name, setup) in [("", plain), ("tls_", tls)] {
            let started = clock.now
            let done = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        var count = 0
                        while clock.now - started < .seconds(3) {
                            if (try? await setup.get(setup.through, setup.token)) != nil { count += 1 }
                        }
                        return count
                    }
                }
                var total = 0
                for await count in group { total += count }
                return total
            }
            report.add("gateway_\(name)requests_per_s", Double(done) / (clock.now - started).milliseconds * 1000)
        }
        let audited = try await plain.storage.auditEntries(
            patient: "2509479989", emergencyOnly: false, after: 0, limit: 1_000_000)
        report.add("gateway_audit_entries", Double(audited.count))
        await plain.stop()
        await tls.stop()
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
