import AsyncHTTPClient
import DemoSources
import FHIR
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import Transport

/// Shared test fixtures: the demo data (loaded once per test process, without date shift so tests see the data as
/// generated) and one running cluster of demo sources on free loopback ports for the read-only tests.
enum Fixtures {
    static var repositoryRoot: URL { DemoFixtures.repositoryRoot }

    static var dataDirectory: URL { DemoFixtures.dataDirectory }

    static func dataSet() throws -> DemoDataSet { try DemoFixtures.data() }

    static let shared = SharedCluster()

    static func patient(tag: String) throws -> DemoManifest.PatientEntry {
        guard let entry = try dataSet().manifest.patients.first(where: { $0.tags.contains(tag) }) else {
            throw TestFailure("no patient tagged \(tag)")
        }
        return entry
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

actor SharedCluster {
    /// One start for every suite: tests that ask while it starts wait for the same cluster (checking a stored
    /// cluster after `await start()` let two concurrent first callers start one each, on different ports).
    private var starting: Task<DemoSourceCluster, any Error>?

    func get() async throws -> DemoSourceCluster {
        if let starting { return try await starting.value }
        let task = Task {
            let cluster = try DemoSourceCluster(data: try Fixtures.dataSet(), ports: .ephemeral)
            try await cluster.start()
            return cluster
        }
        starting = task
        return try await task.value
    }

    func baseURL(_ id: String) async throws -> String {
        guard let url = try await get().server(id)?.baseURL else { throw TestFailure("source \(id) not running") }
        return url
    }
}

/// One HTTP answer, read whole.
struct HTTPAnswer {
    let status: Int
    let headers: HTTPHeaders
    let body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> JSONValue { try JSONValue.parse(body) }

    func bundle() throws -> FHIR.Bundle { try FHIRJSON.decode(FHIR.Bundle.self, from: body) }

    func outcome() throws -> OperationOutcome { try FHIRJSON.decode(OperationOutcome.self, from: body) }
}

enum HTTP {
    /// A client that fails at once on a refused connection (AsyncHTTPClient's default retries until the deadline).
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Runs `body` with a client that trusts and shows what `tls` says; shut down afterwards.
    static func with(_ tls: ClientTLS, _ body: (HTTPClient) async throws -> Void) async throws {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        configuration.tlsConfiguration = tls.configuration
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        do {
            try await body(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    static func get(
        _ url: String, headers: [(String, String)] = [], method: HTTPMethod = .GET, body: String? = nil,
        client: HTTPClient = HTTP.client
    )
        async throws -> HTTPAnswer
    {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return HTTPAnswer(status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
    }

    /// Percent-encodes a query value the way a careful client does.
    static func q(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
