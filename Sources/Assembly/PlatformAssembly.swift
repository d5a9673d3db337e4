import AppCloud
import DemoSources
import Federation
import Foundation
import Hummingbird
import Logging
import Platform
import Research
import Summary
import Transport

/// One SundhedsCloud node (event engine, integration gateway, HTTP server) built from one configuration. The one
/// place a node is put together: `sundhedscloud serve`, `overblik --demo`'s embedded platform, the benchmarks and the
/// tests all start theirs here, so they run what production runs.
///
/// ```swift
/// var configuration = PlatformAssembly.Configuration(storage: storage, tokens: try await .ephemeral())
/// configuration.sources = registry.sources
/// let node = try await PlatformAssembly.start(configuration)
/// ```
public enum PlatformAssembly {
    public struct Configuration: Sendable {
        /// The source systems, as the TOML registry describes them (`[[source]]`): the gateway forwards to them, and
        /// the engine takes their change notifications.
        public var sources: [SourceDefinition] = []
        /// Per source: what to trust for its certificate and which client certificate to show, when it differs
        /// from the node's own (`ca = ...` in the registry).
        public var sourceTLS: [String: ClientTLS] = [:]
        /// Who may notify the engine of changes, per source (hashes of the sources' secrets).
        public var notifyCredentials: NotifyCredentials = .none
        /// The demo identity provider's users (`/auth/token`); empty: no demo login.
        public var users: [Identity] = []
        public var storage: any PlatformStorage
        public var tokens: TokenAuthority
        /// What the node trusts when it calls out (sources, rest-hooks, other nodes).
        public var trust: ClientTLS = .system
        /// The node's own certificate; nil: plain HTTP (`--insecure-http`).
        public var tls: ServerTLS?
        public var host = "127.0.0.1"
        /// 0: any free port.
        public var port = 0
        public var limits = Gateway.Limits()
        /// The audit log's signing key and the file its checkpoints go to (nil: no file, the checkpoints are kept
        /// only in memory); `node` names the node in them.
        public var auditKey = AuditSigningKey()
        public var auditCheckpoints: String?
        public var node = "sundhedscloud"
        /// The analysis platform's store: with one, the node lists its research projects (`GET /research/projects`),
        /// and removes a citizen who opts out of secondary use from every project's data (with the project keys).
        public var analysisStore: AnalysisStore?
        public var analysisKeys: ProjectKeys?
        /// The demo's own web apps (`DemoWebApp`, at `/demo-apps/`): only on a demo node.
        public var demoApps = false
        /// Without a gateway, the engine alone (a node that serves only events, as some tests and benches use).
        public var gateway = true
        /// Warnings and worse (a node's requests are not logged one by one).
        public var logger: Logger = {
            var logger = Logger(label: "sundhedscloud")
            logger.logLevel = .warning
            return logger
        }()

        public init(storage: any PlatformStorage, tokens: TokenAuthority) {
            self.storage = storage
            self.tokens = tokens
        }
    }

    /// The node of `configuration`, listening.
    public static func start(_ configuration: Configuration) async throws -> PlatformServer {
        let parts = assemble(configuration)
        return try await PlatformServer.start(
            engine: parts.engine, gateway: configuration.gateway ? parts.gateway : nil, services: parts.services,
            host: configuration.host, port: configuration.port, tls: configuration.tls, logger: configuration.logger)
    }

    /// What a node is made of, not started.
    public struct Parts: Sendable {
        public let engine: EventEngine
        public let gateway: Gateway
        /// The services beside the gateway (the patient summary); none for a node without a gateway.
        public let services: [any NodeService]
    }

    /// The engine, the gateway and the services of `configuration`, not started (`serve` starts them inside its
    /// service group).
    public static func assemble(_ configuration: Configuration) -> Parts {
        var urls: [String: String] = [:]
        for source in configuration.sources { urls[source.id] = source.fhir }
        let engine = EventEngine(
            storage: configuration.storage, sources: urls, notifyCredentials: configuration.notifyCredentials,
            clientTLS: configuration.trust, logger: configuration.logger)
        let checkpoints = AuditCheckpoints(
            storage: configuration.storage, key: configuration.auditKey, node: configuration.node,
            file: configuration.auditCheckpoints, logger: configuration.logger)
        let gateway = Gateway(
            sources: configuration.sources.map { GatewaySource($0, tls: configuration.sourceTLS[$0.id]) },
            tokens: configuration.tokens, users: configuration.users, storage: configuration.storage,
            checkpoints: checkpoints, limits: configuration.limits, clientTLS: configuration.trust,
            logger: configuration.logger)
        var services: [any NodeService] =
            configuration.gateway
            ? [
                SummaryService(gateway: gateway, trust: configuration.trust),
                SMARTService(gateway: gateway, trust: configuration.trust, logger: configuration.logger),
            ]
            : []
        if configuration.gateway, let store = configuration.analysisStore {
            let research = ResearchService(
                gateway: gateway, store: store,
                keys: configuration.analysisKeys ?? ProjectKeys(path: store.path + ".keys.json"), logger: configuration.logger)
            engine.onStored { research.stored($0) }
            services.append(research)
        }
        if configuration.gateway, configuration.demoApps {
            services.append(DemoWebApp(gateway: gateway, trust: configuration.trust, logger: configuration.logger))
        }
        return Parts(engine: engine, gateway: gateway, services: services)
    }
}

extension GatewaySource {
    /// The gateway's view of a source of the registry: the one mapping from `SourceDefinition`.
    public init(_ source: SourceDefinition, tls: ClientTLS? = nil) {
        self.init(
            id: source.id, name: source.name, sector: source.sector.rawValue, fhir: source.fhir, timeoutMs: source.timeoutMs,
            kind: source.kind == .preferences ? .preferences : .clinical, tls: tls, sandbox: source.sandbox)
    }
}

extension SourceDefinition {
    /// A demo source of the manifest at `fhir`: the one mapping from `DemoManifest.Source`.
    public init(demo source: DemoManifest.Source, fhir: String, timeoutMs: Int = SourceDefinition.defaultTimeoutMs) {
        self.init(
            id: source.id, name: source.name, sector: Sector(rawValue: source.sector) ?? .other, fhir: fhir,
            timeoutMs: timeoutMs, kind: source.isClinical ? .clinical : .preferences)
        // The demo's patients are synthetic: its sources are sandboxes.
        sandbox = true
    }

    /// Every source of a started demo cluster, at the address it listens on.
    public static func demo(
        _ cluster: DemoSourceCluster, timeoutMs: Int = SourceDefinition.defaultTimeoutMs
    ) async
        -> [SourceDefinition]
    {
        let urls = Dictionary(uniqueKeysWithValues: await cluster.baseURLs().map { ($0.id, $0.url) })
        return cluster.data.manifest.sources.compactMap { source in
            urls[source.id].map { SourceDefinition(demo: source, fhir: $0, timeoutMs: timeoutMs) }
        }
    }
}

extension PlatformAssembly {
    /// A node of `configuration` without a listener: its engine started (storage migrated) and every route, for a
    /// test to drive in-process (`Application(router: node.router).test(.router) { client in ... }`).
    public struct InProcessNode {
        public let router: Router<PlatformRequestContext>
        public let engine: EventEngine
        public let gateway: Gateway
        let services: [any NodeService]

        public func stop() async {
            await engine.shutdown()
            await gateway.shutdown()
            for service in services { await service.shutdown() }
        }
    }

    public static func inProcess(_ configuration: Configuration) async throws -> InProcessNode {
        let parts = assemble(configuration)
        let (engine, gateway) = (parts.engine, parts.gateway)
        try await engine.start()
        engine.publicBase = "http://\(configuration.host):\(configuration.port)"
        gateway.publicBase = engine.publicBase
        return InProcessNode(
            router: PlatformServer.router(
                engine: engine, gateway: gateway, services: parts.services, encrypted: configuration.tls != nil),
            engine: engine, gateway: gateway, services: parts.services)
    }
}
