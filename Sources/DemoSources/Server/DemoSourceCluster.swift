import FHIR
import Foundation
import Hummingbird
import Logging
import Transport

/// The demo source systems of `demo-data/` (hospital, GP, municipality), each its own FHIR server, plus a small
/// control endpoint for fault injection. This is what `sundhedscloud serve --demo` runs.
public actor DemoSourceCluster {
    public enum PortPlan: Sendable {
        /// Ports from the manifest (8101, 8102, 8103) moved by `base - 8100`; the control endpoint on `base`.
        case manifest(base: Int)
        /// Free ports chosen by the OS (tests, embedded demo).
        case ephemeral
        /// Given ports per source id (chosen before the data is loaded, so a client can be told where to look).
        case fixed([String: Int])
    }

    public static let defaultPortBase = 8100

    public nonisolated let data: DemoDataSet
    public nonisolated let servers: [DemoSourceServer]
    private let host: String
    private let controlPort: Int
    /// The sources' and the control endpoint's TLS (nil: plain HTTP).
    public nonisolated let tls: ServerTLS?
    private var control: RunningServer?
    public private(set) var controlURL: String?

    public init(
        data: DemoDataSet, host: String = "127.0.0.1", ports: PortPlan = .ephemeral, faults: [String: FaultSettings] = [:],
        notifySecrets: [String: String] = [:], tls: ServerTLS? = nil, cohort: CohortFiles? = nil
    )
        throws
    {
        self.tls = tls
        for id in faults.keys where !data.manifest.sources.contains(where: { $0.id == id }) {
            throw DemoSourceError.unknownSource(id)
        }
        self.data = data
        self.host = host
        var servers: [DemoSourceServer] = []
        for source in data.manifest.sources {
            let resources = data.resources[source.id] ?? []
            let types = Set(resources.compactMap { $0["resourceType"]?.stringValue }).union([
                "Patient", "Organization", "Practitioner",
            ])
            let store = try ResourceStore(resources: resources, supportedTypes: types)
            let port: Int
            switch ports {
            case .manifest(let base): port = base + (source.port - Self.defaultPortBase)
            case .ephemeral: port = 0
            case .fixed(let ports): port = ports[source.id] ?? 0
            }
            servers.append(
                DemoSourceServer(
                    id: source.id, name: source.name, sector: source.sector, store: store, host: host, port: port,
                    faults: faults[source.id] ?? .none, notifySecret: notifySecrets[source.id],
                    tls: tls, writableTypes: source.isClinical ? [] : ["Patient", "Consent"]))
        }
        // The research cohort (`make cohort`), when there is one: served through Bulk Data only, to the analysis
        // platform, on the port after the sources'.
        if let cohort {
            let port: Int
            switch ports {
            case .manifest(let base): port = base + 6
            case .ephemeral: port = 0
            case .fixed(let ports): port = ports[Self.cohortID] ?? 0
            }
            servers.append(
                DemoSourceServer(
                    id: Self.cohortID, name: "Forskningskohorte (\(cohort.manifest.persons) syntetiske borgere)",
                    sector: "other", store: try ResourceStore(resources: [], supportedTypes: Set(cohort.exportTypes)),
                    bulkSource: cohort, host: host, port: port, tls: tls))
        }
        self.servers = servers
        switch ports {
        case .manifest(let base): controlPort = base
        case .ephemeral, .fixed: controlPort = 0
        }
    }

    /// A free loopback port for each source, to start the cluster on later with `.fixed`.
    public static func reservePorts(for manifest: DemoManifest, host: String = "127.0.0.1") throws -> [String: Int] {
        var ports: [String: Int] = [:]
        for source in manifest.sources {
            var port = try DemoSourceServer.freePort(host: host)
            while ports.values.contains(port) { port = try DemoSourceServer.freePort(host: host) }
            ports[source.id] = port
        }
        return ports
    }

    public nonisolated func server(_ id: String) -> DemoSourceServer? {
        servers.first { $0.id == id }
    }

    /// Starts every source and the control endpoint. If one cannot start, those already started are stopped.
    public func start() async throws {
        do {
            for server in servers { try await server.start() }
            try await startControl()
        } catch {
            await stop()
            throw error
        }
    }

    public func stop() async {
        for server in servers {
            await server.shutdown()
            await server.publisher.stop()
        }
        if let control {
            self.control = nil
            await control.stop()
        }
    }

    /// Source id → the secret it sends with its notifications (give the engine their hashes).
    public nonisolated var notifySecrets: [String: String] {
        Dictionary(servers.map { ($0.id, $0.publisher.notifySecret) }, uniquingKeysWith: { first, _ in first })
    }

    public static let cohortID = "cohort"

    /// Source id → the analysis platform's credential for Bulk Data export from it.
    public nonisolated var exportSecrets: [String: String] {
        Dictionary(servers.map { ($0.id, $0.exportSecret) }, uniquingKeysWith: { first, _ in first })
    }

    /// Makes every source announce its changes to the event engine at `engineURL` (after `start`).
    public func connect(engineURL: String, trust: ClientTLS? = nil) async {
        for server in servers { await server.connect(engineURL: engineURL, trust: trust) }
    }

    /// Source id → base URL, in manifest order.
    public func baseURLs() async -> [(id: String, url: String)] {
        var result: [(String, String)] = []
        for server in servers {
            if let url = await server.baseURL { result.append((server.id, url)) }
        }
        return result
    }

    private func startControl() async throws {
        var logger = Logger(label: "demo-control")
        logger.logLevel = .warning
        do {
            let server = try await RunningServer.start(
                responder: DemoControlResponder(cluster: self), host: host, port: controlPort, tls: tls, logger: logger)
            control = server
            controlURL = "\(tls == nil ? "http" : "https")://\(host):\(server.port)"
        } catch {
            throw DemoSourceError.cannotListen(source: "control", host: host, port: controlPort, reason: "\(error)")
        }
    }
}
