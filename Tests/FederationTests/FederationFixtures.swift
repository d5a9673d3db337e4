import AsyncHTTPClient
import Crypto
import DemoSources
import FHIR
import Federation
import Foundation
import TestSupport

/// The demo data and stores, loaded once per test process; each test gets its own servers (free loopback ports)
/// over the shared stores, with the faults it needs, and its own cache file.
enum FederationFixtures {
    static var dataDirectory: URL { DemoFixtures.dataDirectory }

    private static let loaded = Result { () throws -> (DemoDataSet, [String: ResourceStore]) in
        let data = try DemoFixtures.data()
        let cluster = try DemoSourceCluster(data: data, ports: .ephemeral)
        var stores: [String: ResourceStore] = [:]
        for server in cluster.servers { stores[server.id] = server.store }
        return (data, stores)
    }

    static func data() throws -> DemoDataSet { try loaded.get().0 }

    static let http = FHIRHTTPClient(http: FHIRHTTPClient.makeHTTPClient())

    static func patient(tag: String) throws -> DemoManifest.PatientEntry {
        guard let entry = try data().manifest.patients.first(where: { $0.tags.contains(tag) }) else { throw Failure("no \(tag)") }
        return entry
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// Running demo sources for one test. `copies` makes more sources over the same stores (for fan-out tests).
    final class Sources: Sendable {
        let servers: [DemoSourceServer]
        let registry: SourceRegistry

        init(servers: [DemoSourceServer], registry: SourceRegistry) {
            self.servers = servers
            self.registry = registry
        }

        func server(_ id: String) -> DemoSourceServer? { servers.first { $0.id == id } }

        func stop() async {
            for server in servers { await server.stop() }
        }
    }

    static func start(faults: [String: FaultSettings] = [:], timeoutMs: Int = 30_000) async throws -> Sources {
        let (data, stores) = try loaded.get()
        var servers: [DemoSourceServer] = []
        var definitions: [SourceDefinition] = []
        for source in data.manifest.clinicalSources {
            guard let store = stores[source.id] else { continue }
            let server = DemoSourceServer(
                id: source.id, name: source.name, sector: source.sector, store: store, faults: faults[source.id] ?? .none)
            try await server.start()
            servers.append(server)
            definitions.append(
                SourceDefinition(
                    id: source.id, name: source.name, sector: Sector(rawValue: source.sector) ?? .other,
                    fhir: await server.baseURL ?? "", timeoutMs: timeoutMs))
        }
        return Sources(servers: servers, registry: SourceRegistry(sources: definitions))
    }

    /// A cache in a fresh temporary directory, with its own key.
    static func makeCache(policy: CachePolicy = CachePolicy()) throws -> ResourceCache {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("overblik-test-\(UUID().uuidString)")
        return try ResourceCache(
            path: directory.appendingPathComponent("cache.sqlite").path, key: SymmetricKey(size: .bits256), policy: policy)
    }

    static let bruno = try! CPRNumber("2509479989")
}
