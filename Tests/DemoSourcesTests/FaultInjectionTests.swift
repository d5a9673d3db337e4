import AsyncHTTPClient
import DemoSources
import FHIR
import Foundation
import NIOHTTP1
import Testing

/// Each fault a demo source can inject, seen from a real HTTP client. Every test uses its own small source.
@Suite struct FaultInjectionTests {
    func makeServer(_ faults: FaultSettings = .none) async throws -> DemoSourceServer {
        let store = try ResourceStore(
            resources: (1...30).map { n in
                .object([
                    "resourceType": .string("Patient"), "id": .string("p\(n)"), "gender": .string(n % 2 == 0 ? "female" : "male"),
                ])
            }, supportedTypes: ["Patient"])
        let server = DemoSourceServer(id: "faulty", name: "Fejlkilde", sector: "other", store: store, faults: faults)
        try await server.start()
        return server
    }

    @Test func latencyIsAdded() async throws {
        let server = try await makeServer(FaultSettings(latencyMs: 300))
        let base = try #require(await server.baseURL)
        let clock = ContinuousClock()
        let start = clock.now
        let answer = try await HTTP.get("\(base)/Patient/p1")
        #expect(answer.status == 200)
        #expect(clock.now - start >= .milliseconds(300))
        await server.stop()
    }

    @Test func http500WithAnOperationOutcome() async throws {
        let server = try await makeServer(FaultSettings(errorRate: 1, errorKind: .http500))
        let answer = try await HTTP.get("\(try #require(await server.baseURL))/Patient?gender=male")
        #expect(answer.status == 500)
        #expect(try answer.outcome().message.contains("fejlinjektion"))
        await server.stop()
    }

    @Test func htmlInsteadOfFHIR() async throws {
        let server = try await makeServer(FaultSettings(errorRate: 1, errorKind: .html))
        let answer = try await HTTP.get("\(try #require(await server.baseURL))/Patient?gender=male")
        #expect(answer.status == 200)
        #expect(answer.headers.first(name: "Content-Type")?.hasPrefix("text/html") == true)
        #expect(throws: (any Error).self) { try answer.bundle() }
        await server.stop()
    }

    @Test func truncatedJSON() async throws {
        let server = try await makeServer(FaultSettings(errorRate: 1, errorKind: .truncated))
        let answer = try await HTTP.get("\(try #require(await server.baseURL))/Patient?gender=male")
        #expect(answer.status == 200)
        #expect(answer.text.hasPrefix("{\"resourceType\":\"Bundle\""))
        #expect(throws: (any Error).self) { try JSONValue.parse(answer.body) }
        await server.stop()
    }

    @Test func garbageEntries() async throws {
        let server = try await makeServer(FaultSettings(errorRate: 1, errorKind: .garbage))
        let bundle = try await HTTP.get("\(try #require(await server.baseURL))/Patient?gender=male").bundle()
        #expect((bundle.entry ?? []).count == 4)
        #expect(bundle.resources.isEmpty)
        await server.stop()
    }

    @Test func hangUntilTheClientGivesUp() async throws {
        let server = try await makeServer(FaultSettings(errorRate: 1, errorKind: .hang))
        var request = HTTPClientRequest(url: "\(try #require(await server.baseURL))/Patient/p1")
        request.method = .GET
        await #expect(throws: (any Error).self) {
            _ = try await HTTP.client.execute(request, timeout: .milliseconds(300))
        }
        await server.stop()
    }

    @Test func partialErrorRate() async throws {
        let server = try await makeServer(FaultSettings(errorRate: 0.5))
        let base = try #require(await server.baseURL)
        var statuses: [Int] = []
        for _ in 0..<40 { statuses.append(try await HTTP.get("\(base)/Patient/p1").status) }
        #expect(statuses.contains(200))
        #expect(statuses.contains(500))
        await server.stop()
    }

    @Test func downRefusesConnectionsAndComesBackOnTheSamePort() async throws {
        let server = try await makeServer()
        let base = try #require(await server.baseURL)
        #expect(try await HTTP.get("\(base)/Patient/p1").status == 200)
        try await server.setFaults(FaultSettings(down: true))
        await #expect(throws: (any Error).self) { _ = try await HTTP.get("\(base)/Patient/p1") }
        try await server.setFaults(.none)
        #expect(await server.baseURL == base)
        #expect(try await HTTP.get("\(base)/Patient/p1").status == 200)
        await server.stop()
    }

    @Test func faultsChangeThroughTheControlEndpoint() async throws {
        let cluster = try DemoSourceCluster(
            data: try Fixtures.dataSet(), ports: .ephemeral, faults: ["gp": FaultSettings(down: true)])
        try await cluster.start()
        let control = try #require(await cluster.controlURL)
        let gp = try #require(await cluster.server("gp")?.baseURL)
        await #expect(throws: (any Error).self) { _ = try await HTTP.get("\(gp)/metadata") }
        let list = try await HTTP.get("\(control)/_demo/sources").json()
        #expect(list.arrayValue?.count == 5, "hospital, gp, municipality, the preferences source and the national services")
        let changed = try await HTTP.get(
            "\(control)/_demo/sources/gp/fault", method: .PUT, body: #"{"down":false,"latency_ms":5}"#)
        #expect(changed.status == 200, "\(changed.text)")
        #expect(try changed.json()["fault"]?["latency_ms"]?.numberValue == 5)
        #expect(try await HTTP.get("\(gp)/metadata").status == 200)
        let bad = try await HTTP.get("\(control)/_demo/sources/gp/fault", method: .PUT, body: #"{"error_rate":7}"#)
        #expect(bad.status == 400)
        let misspelt = try await HTTP.get("\(control)/_demo/sources/gp/fault", method: .PUT, body: #"{"latency":500}"#)
        #expect(misspelt.status == 400)
        #expect(misspelt.text.contains("ukendt felt 'latency'"))
        #expect(try await HTTP.get("\(control)/_demo/sources/gp/fault").json()["fault"]?["latency_ms"]?.numberValue == 5, "kept")
        #expect(try await HTTP.get("\(control)/_demo/sources/nope/fault").status == 404)
        await cluster.stop()
    }

    @Test func faultSpecificationsFromTheCommandLine() throws {
        #expect(try FaultSettings(spec: "down") == FaultSettings(down: true))
        #expect(
            try FaultSettings(spec: "latency=3000,error=html") == FaultSettings(latencyMs: 3000, errorRate: 1, errorKind: .html))
        #expect(try FaultSettings(spec: "error-rate=0.2") == FaultSettings(errorRate: 0.2))
        #expect(throws: FaultSpecError.self) { try FaultSettings(spec: "latency=soon") }
        #expect(throws: FaultSpecError.self) { try FaultSettings(spec: "error-rate=2") }
        #expect(throws: FaultSpecError.self) { try FaultSettings(spec: "explode") }
        #expect(throws: DemoSourceError.self) {
            _ = try DemoSourceCluster(data: try Fixtures.dataSet(), faults: ["pharmacy": FaultSettings(down: true)])
        }
    }
}
