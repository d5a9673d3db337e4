import ArgumentParser
import Assembly
import DemoSources
import Federation
import Foundation
import Logging
import Platform
import Research
import ServiceLifecycle
import Transport
import Words

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: CLI.text("platform-cli.abstract.serve"),
        discussion: CLI.text("platform-cli.discussion.serve")
    )

    @Flag(help: ArgumentHelp(CLI.text("platform-cli.help.demo")))
    var demo = false

    @Flag(help: ArgumentHelp(CLI.text("platform-cli.help.scenario")))
    var scenario = false

    @Option(help: ArgumentHelp(CLI.text("platform-cli.help.speed")))
    var speed: Double = 1

    @Option(help: ArgumentHelp(CLI.text("platform-cli.help.port")))
    var port: Int?

    @Option(help: ArgumentHelp(CLI.text("platform-cli.help.port-base")))
    var portBase: Int = DemoSourceCluster.defaultPortBase

    @Option(help: ArgumentHelp(CLI.text("platform-cli.help.host")))
    var host: String?

    @Option(
        help: ArgumentHelp(CLI.text("platform-cli.help.config"), valueName: CLI.catalog.text("cli.value.file")))
    var config: String?

    @Option(
        help: ArgumentHelp(CLI.text("platform-cli.help.storage")))
    var storage: String?

    @Option(help: ArgumentHelp(CLI.text("platform-cli.help.users")))
    var users: String?

    @Option(help: ArgumentHelp(CLI.text("platform-cli.help.sources")))
    var sources: String?

    @Option(help: ArgumentHelp(CLI.text("platform-cli.help.data")))
    var data: String?

    @Option(
        help: ArgumentHelp(CLI.text("platform-cli.help.cohort"), valueName: CLI.text("platform-cli.value.folder")))
    var cohort: String?

    @Option(
        help: ArgumentHelp(CLI.text("platform-cli.help.analysis-store"), valueName: CLI.catalog.text("cli.value.file")))
    var analysisStore: String?

    @Option(help: ArgumentHelp(CLI.text("platform-cli.help.research-keys"), valueName: CLI.catalog.text("cli.value.file")))
    var researchKeys: String?

    @Option(
        name: .customLong("fault"),
        help: ArgumentHelp(CLI.text("platform-cli.help.fault"), valueName: CLI.text("platform-cli.value.spec")))
    var faults: [String] = []

    @Option(help: ArgumentHelp(CLI.text("platform-cli.help.token-secret")))
    var tokenSecret: String?

    @Option(help: ArgumentHelp(CLI.text("platform-cli.help.jwks")))
    var jwks: String?

    @Option(help: ArgumentHelp(CLI.text("platform-cli.help.issuer", ["default": .text(TokenAuthority.defaultIssuer)])))
    var issuer: String?

    @Option(
        help: ArgumentHelp(CLI.text("platform-cli.help.audience", ["default": .text(TokenAuthority.defaultAudience)])))
    var audience: String?

    @Flag(help: ArgumentHelp(CLI.text("platform-cli.help.no-date-shift")))
    var noDateShift = false

    @Option(help: ArgumentHelp(CLI.text("platform-cli.help.tls-cert"), valueName: CLI.catalog.text("cli.value.file")))
    var tlsCert: String?

    @Option(help: ArgumentHelp(CLI.text("platform-cli.help.tls-key"), valueName: CLI.catalog.text("cli.value.file")))
    var tlsKey: String?

    @Option(help: ArgumentHelp(CLI.text("platform-cli.help.tls-client-ca"), valueName: CLI.catalog.text("cli.value.file")))
    var tlsClientCa: String?

    @Option(
        help: ArgumentHelp(CLI.text("platform-cli.help.ca"), valueName: CLI.catalog.text("cli.value.file")))
    var ca: String?

    @Option(help: ArgumentHelp(CLI.text("platform-cli.help.client-cert"), valueName: CLI.catalog.text("cli.value.file")))
    var clientCert: String?

    @Option(help: ArgumentHelp(CLI.text("platform-cli.help.client-key"), valueName: CLI.catalog.text("cli.value.file")))
    var clientKey: String?

    @Option(
        help: ArgumentHelp(CLI.text("platform-cli.help.demo-tls-dir"), valueName: CLI.text("platform-cli.value.folder")))
    var demoTlsDir: String?

    @Option(
        help: ArgumentHelp(CLI.text("platform-cli.help.audit-key"), valueName: CLI.catalog.text("cli.value.file")))
    var auditKey: String?

    @Option(
        help: ArgumentHelp(CLI.text("platform-cli.help.audit-checkpoints"), valueName: CLI.catalog.text("cli.value.file")))
    var auditCheckpoints: String?

    @Flag(
        name: .customLong("insecure-http"),
        help: ArgumentHelp(CLI.text("platform-cli.help.insecure-http")))
    var insecureHTTP = false

    @OptionGroup var languageOption: LanguageOption

    mutating func validate() throws {
        // The configuration file fills what the command line (and for storage and secret, the environment) left.
        let file: PlatformConfiguration
        do {
            file = try PlatformConfiguration.load(path: config)
        } catch {
            throw ValidationError(CLI.words(error))
        }
        let environment = ProcessInfo.processInfo.environment
        if storage == nil, environment["SUNDHEDSCLOUD_STORAGE"] == nil { storage = file.storage }
        if tokenSecret == nil, jwks == nil, environment["SUNDHEDSCLOUD_TOKEN_SECRET"] == nil {
            tokenSecret = file.tokenSecret
            jwks = file.jwks
        }
        sources = sources ?? file.sources
        users = users ?? file.users
        port = port ?? file.port ?? 8080
        host = host ?? file.host ?? "127.0.0.1"
        issuer = issuer ?? file.issuer ?? TokenAuthority.defaultIssuer
        audience = audience ?? file.audience ?? TokenAuthority.defaultAudience
        tlsCert = tlsCert ?? file.tlsCert
        tlsKey = tlsKey ?? file.tlsKey
        tlsClientCa = tlsClientCa ?? file.tlsClientCA
        ca = ca ?? file.ca
        clientCert = clientCert ?? file.clientCert
        clientKey = clientKey ?? file.clientKey
        insecureHTTP = insecureHTTP || (file.insecureHTTP ?? false)
        auditKey = auditKey ?? file.auditKey
        auditCheckpoints = auditCheckpoints ?? file.auditCheckpoints
        if (tlsCert == nil) != (tlsKey == nil) { throw CLI.refusal("platform-cli.error.tls-pair") }
        if (clientCert == nil) != (clientKey == nil) { throw CLI.refusal("platform-cli.error.client-pair") }
        if insecureHTTP, tlsCert != nil { throw CLI.refusal("platform-cli.error.tls-or-insecure") }
        if !demo, !insecureHTTP, tlsCert == nil {
            throw CLI.refusal("platform-cli.error.tls-needed")
        }
        guard demo || sources != nil else {
            throw CLI.refusal("platform-cli.error.demo-or-sources")
        }
        guard !scenario || demo else { throw CLI.refusal("platform-cli.error.scenario-needs-demo") }
        guard speed > 0, speed <= 10_000 else { throw CLI.refusal("platform-cli.error.speed") }
        guard (1...65_000).contains(portBase) else { throw CLI.refusal("platform-cli.error.port-base") }
        guard (0...65_535).contains(port ?? 8080) else { throw CLI.refusal("platform-cli.error.port") }
        _ = try parsedFaults()
        do {
            try PlatformStorageLocation.validate(storageLocation())
        } catch {
            throw ValidationError(CLI.words(error))
        }
        if tokenSecret != nil, jwks != nil { throw CLI.refusal("platform-cli.error.secret-or-jwks") }
        if !demo, jwks == nil, (tokenSecret ?? ProcessInfo.processInfo.environment["SUNDHEDSCLOUD_TOKEN_SECRET"]) == nil {
            throw CLI.refusal("platform-cli.error.tokens-needed")
        }
    }

    /// How tokens are checked: a JWKS file, a shared secret, or (demo without either) a random secret of this run.
    func tokenAuthority() async throws -> TokenAuthority {
        do {
            let issuer = issuer ?? TokenAuthority.defaultIssuer
            let audience = audience ?? TokenAuthority.defaultAudience
            if let jwks { return try await TokenAuthority.jwks(file: jwks, issuer: issuer, audience: audience) }
            if let secret = tokenSecret ?? ProcessInfo.processInfo.environment["SUNDHEDSCLOUD_TOKEN_SECRET"] {
                return try await TokenAuthority.sharedSecret(secret, issuer: issuer, audience: audience)
            }
            return try await TokenAuthority.ephemeral()
        } catch {
            throw CLI.failure(error)
        }
    }

    func parsedFaults() throws -> [String: FaultSettings] {
        do {
            return try FaultSettings.parse(options: faults)
        } catch {
            throw ValidationError(CLI.words(error))
        }
    }

    /// `--storage`, else `$SUNDHEDSCLOUD_STORAGE`, else the SQLite file under the XDG data folder.
    func storageLocation() -> String { Audit.storageLocation(storage) }

    /// The node's TLS, what it trusts going out, and with `--demo` (no certificate given) this run's throwaway CA,
    /// written under `$XDG_STATE_HOME/sundhedscloud/demo-tls/` so that `curl --cacert` can use it.
    func transportSecurity(host: String) throws -> (server: ServerTLS?, trust: ClientTLS, pki: DemoPKI?) {
        do {
            if insecureHTTP { return (nil, try ClientTLS.load(ca: ca), nil) }
            if let tlsCert, let tlsKey {
                let server = try ServerTLS.load(certificate: tlsCert, key: tlsKey, clientCA: tlsClientCa, host: host)
                return (server, try ClientTLS.load(ca: ca, certificate: clientCert, key: clientKey), nil)
            }
            let folder = URL(fileURLWithPath: demoTlsDir ?? XDGDirectory.state.path("demo-tls", app: "sundhedscloud"))
            try? FileManager.default.removeItem(at: folder)
            let pki = try DemoPKI.make(in: folder)
            let trust = try ClientTLS.load(
                cas: [pki.caFile] + (ca.map { [$0] } ?? []), certificate: clientCert ?? pki.clientCertificateFile,
                key: clientKey ?? pki.clientKeyFile)
            return (try pki.serverTLS(), trust, pki)
        } catch let error as TLSSetupError {
            throw CLI.failure("platform-cli.error.tls", ["error": .text(CLI.words(error))])
        } catch {
            throw CLI.failure("platform-cli.error.tls-demo", ["error": .text(CLI.words(error))])
        }
    }

    func run() async throws {
        let host = host ?? "127.0.0.1"
        let port = port ?? 8080
        let security = try transportSecurity(host: host)
        var cluster: DemoSourceCluster?
        var dataSet: DemoDataSet?
        var nodeSources: [SourceDefinition] = []
        var sourceTLS: [String: ClientTLS] = [:]
        var notifyHashes: [String: String] = [:]
        var users: [Identity] = []
        if let sources {
            do {
                for source in try SourceRegistry.load(path: sources).sources {
                    nodeSources.append(source)
                    if let hash = source.notifySecretSHA256 { notifyHashes[source.id] = hash }
                    // A source with a CA of its own is verified against that CA (and the node's).
                    sourceTLS[source.id] = try source.ca.map {
                        try ClientTLS.load(
                            cas: [$0] + security.trust.caFiles, certificate: clientCert ?? security.pki?.clientCertificateFile,
                            key: clientKey ?? security.pki?.clientKeyFile)
                    }
                }
            } catch {
                throw CLI.failure(error)
            }
        }
        if demo {
            let directory: URL
            if let data {
                directory = URL(fileURLWithPath: data)
            } else if let found = DemoDataSet.locateDirectory() {
                directory = found
            } else {
                throw CLI.failure("platform-cli.error.no-demo-data")
            }
            do {
                dataSet = try DemoDataSet.load(from: directory, dateShift: noDateShift ? DateShift.none : nil)
            } catch {
                throw CLI.failure("platform-cli.error.demo-data", ["error": .text(CLI.words(error))])
            }
            do {
                // The demo sources ask for the gateway's client certificate (mutual TLS), as a health network would.
                // The research cohort when `make cohort` made one (or --cohort names one: then it must be there).
                let cohortFolder = URL(fileURLWithPath: cohort ?? Cohort.defaultFolder)
                let cohortFiles: CohortFiles? =
                    cohort != nil || FileManager.default.fileExists(atPath: cohortFolder.path)
                    ? try CohortFiles(folder: cohortFolder) : nil
                cluster = try DemoSourceCluster(
                    data: dataSet!, host: host, ports: .manifest(base: portBase), faults: try parsedFaults(),
                    tls: try security.pki?.mutualServerTLS() ?? security.server, cohort: cohortFiles)
            } catch {
                throw CLI.failure(error)
            }
            for source in dataSet!.manifest.sources {
                let scheme = security.server == nil ? "http" : "https"
                let url = "\(scheme)://\(host):\(portBase + source.port - DemoSourceCluster.defaultPortBase)/fhir"
                nodeSources.append(SourceDefinition(demo: source, fhir: url))
                if let secret = cluster?.notifySecrets[source.id] { notifyHashes[source.id] = NotifyCredentials.hash(of: secret) }
            }
            do {
                users = try Identity.loadUsers(file: directory.appendingPathComponent("users.json"))
            } catch {
                throw CLI.failure(error)
            }
        }
        if let file = self.users {
            do {
                users = try Identity.loadUsers(file: URL(fileURLWithPath: file))
            } catch {
                throw CLI.failure(error)
            }
        }
        var logger = Logger(label: "sundhedscloud")
        logger.logLevel = .warning
        let storage: any PlatformStorage
        do {
            storage = try PlatformStorageLocation.open(storageLocation(), logger: logger)
        } catch {
            throw CLI.failure(error)
        }
        if insecureHTTP {
            logger.warning("Ukrypteret HTTP (--insecure-http): adgangstokens og data sendes i klartekst")
        }
        let signingKey: AuditSigningKey
        let keyFile = auditKey ?? XDGDirectory.data.path("audit-signing-key.pem", app: "sundhedscloud")
        do {
            signingKey = try AuditSigningKey.loadOrCreate(path: keyFile)
        } catch {
            await storage.shutdown()
            throw CLI.failure("platform-cli.error.audit-key", ["error": .text(CLI.words(error))])
        }
        var node = PlatformAssembly.Configuration(storage: storage, tokens: try await tokenAuthority())
        node.sources = nodeSources
        node.sourceTLS = sourceTLS
        node.notifyCredentials = NotifyCredentials(hashes: notifyHashes)
        node.users = users
        node.trust = security.trust
        node.tls = security.server
        node.host = host
        node.port = port
        node.auditKey = signingKey
        node.auditCheckpoints = auditCheckpoints ?? Audit.defaultCheckpointFile(storage: storageLocation())
        node.node = "\(host):\(port)"
        node.logger = logger
        node.demoApps = demo
        do {
            node.analysisStore = try AnalysisStore(
                path: analysisStore ?? XDGDirectory.data.path("analysis.sqlite", app: "sundhedscloud"))
            node.analysisKeys = ProjectKeys(
                path: researchKeys ?? XDGDirectory.data.path("research-keys.json", app: "sundhedscloud"))
        } catch {
            await storage.shutdown()
            throw CLI.failure(error)
        }
        let parts = PlatformAssembly.assemble(node)
        let service = PlatformService(
            engine: parts.engine, gateway: parts.gateway, services: parts.services, host: host, port: port, tls: security.server,
            trust: security.trust,
            pki: security.pki, storage: storage, cluster: cluster,
            patients: dataSet?.manifest.patients.count ?? 0, scenario: scenario, speed: speed)
        let group = ServiceGroup(
            configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

extension Serve {
    /// Where a demo node leaves the analysis platform's export credentials for this run (mode 0600), so that
    /// `sundhedscloud research ingest` can export from the demo's sources and cohort.
    static var exportCredentialsFile: String { XDGDirectory.state.path("demo-export.json", app: "sundhedscloud") }

    static func writeExportCredentials(_ cluster: DemoSourceCluster) async throws {
        var sources: [[String: String]] = []
        for server in cluster.servers {
            guard let url = await server.baseURL else { continue }
            // What the platform exports from it: clinical data, the citizens' choices (their opt-outs), or the cohort.
            let kind =
                server.id == DemoSourceCluster.cohortID
                ? "cohort"
                : cluster.data.manifest.sources.first { $0.id == server.id }?.isClinical == false ? "preferences" : "clinical"
            sources.append(["id": server.id, "fhir": url, "secret": server.exportSecret, "kind": kind])
        }
        let data = try JSONEncoder().encode(["sources": sources])
        let path = exportCredentialsFile
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: path).deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]),
            rename(temporary, path) == 0
        else { throw CLI.failure("platform-cli.error.export-credentials", ["path": .text(path)]) }
    }
}

/// Runs the engine (and the demo sources, and the scenario) until SIGINT/SIGTERM, then stops them in order.
struct PlatformService: Service {
    let engine: EventEngine
    let gateway: Gateway
    let services: [any NodeService]
    let host: String
    let port: Int
    let tls: ServerTLS?
    let trust: ClientTLS
    let pki: DemoPKI?
    let storage: any PlatformStorage
    let cluster: DemoSourceCluster?
    let patients: Int
    let scenario: Bool
    let speed: Double

    func run() async throws {
        let server: PlatformServer
        do {
            server = try await PlatformServer.start(
                engine: engine, gateway: gateway, services: services, host: host, port: port, tls: tls)
        } catch let error as PlatformListenError {
            await storage.shutdown()
            throw CLI.failure("platform-cli.error.port-taken", ["error": .text(CLI.words(error))])
        } catch {
            await storage.shutdown()
            throw CLI.failure(error)
        }
        func row(_ label: String, _ value: String, _ role: String) -> String {
            "  " + label.padding(toLength: 14, withPad: " ", startingAt: 0) + value + (role.isEmpty ? "" : "   " + role)
        }
        var lines = [
            CLI.text(tls == nil ? "platform-cli.banner.running-insecure" : "platform-cli.banner.running-tls"),
            row(
                "gateway", server.baseURL,
                CLI.text("platform-cli.banner.gateway-role")
                    + (gateway.users.isEmpty ? "" : CLI.text("platform-cli.banner.demo-login"))),
            row(
                CLI.text("platform-cli.banner.engine"), server.baseURL,
                CLI.text("platform-cli.banner.engine-role", ["storage": .text(storage.location)])),
            row(
                "checkpoints", gateway.checkpoints.file ?? "-",
                CLI.text(
                    "platform-cli.banner.checkpoints",
                    ["key": .text(String(gateway.checkpoints.key.publicKeyText.prefix(12)))])),
        ]
        var player: ScenarioPlayer?
        if let cluster {
            do {
                try await cluster.start()
            } catch {
                await server.stop()
                throw CLI.failure(error)
            }
            await cluster.connect(engineURL: server.baseURL, trust: trust)
            if let gateway = server.gateway {
                await DemoApps.start(gateway: gateway, base: server.baseURL, trust: trust)
            }
            do {
                try await Serve.writeExportCredentials(cluster)
            } catch {
                FileHandle.standardError.write(Data("\(CLI.words(error))\n".utf8))
            }
            lines.append(CLI.text("platform-cli.banner.sources", ["count": .integer(patients)]))
            for source in cluster.servers {
                let url = await source.baseURL ?? "-"
                let state = source.faults.current.down ? CLI.text("platform-cli.banner.source-down") : ""
                lines.append(row(source.id, url, source.name + state))
            }
            if let control = await cluster.controlURL {
                lines.append(row(CLI.text("platform-cli.banner.control"), control + "/_demo/sources", ""))
            }
            if scenario {
                player = ScenarioPlayer(cluster: cluster, speed: speed) { line in
                    FileHandle.standardOutput.write(
                        Data((CLI.text("platform-cli.banner.scenario-line", ["line": .text(line)]) + "\n").utf8))
                }
                lines.append(
                    CLI.text(
                        "platform-cli.banner.scenario", ["speed": .decimal(speed), "seconds": .integer(Int(15 / speed))]))
            }
        }
        if let pki {
            lines.append(CLI.text("platform-cli.banner.demo-ca", ["path": .text(pki.caFile)]))
            lines.append(CLI.text("platform-cli.banner.curl", ["ca": .text(pki.caFile), "url": .text(server.baseURL)]))
        }
        lines.append(CLI.text("platform-cli.banner.stop"))
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        player?.start()
        try? await gracefulShutdown()
        player?.stop()
        if let cluster { await cluster.stop() }
        await server.stop()
        await storage.shutdown()
        FileHandle.standardOutput.write(Data((CLI.text("platform-cli.banner.stopped") + "\n").utf8))
    }
}
