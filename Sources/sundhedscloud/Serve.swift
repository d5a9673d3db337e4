import ArgumentParser
import Assembly
import DemoSources
import Federation
import Foundation
import Logging
import Platform
import ServiceLifecycle
import Transport

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start platformen: gateway og hændelsesmotor (og med --demo demo-kilderne med syntetiske patienter).",
        discussion: """
            Eksempler:
              sundhedscloud serve --demo                      motor på :8080, kilder på :8101-8103
              sundhedscloud serve --demo --scenario --speed 5  Bruno Test Elmers forløb, fem gange så hurtigt
              sundhedscloud serve --demo --fault hospital:latency=3000 --fault gp:error=http-500,error-rate=0.2
              sundhedscloud serve --sources kilder.toml --storage sqlite:/var/lib/sundhedscloud/platform.sqlite
              sundhedscloud serve --sources kilder.toml --storage postgres://platform:KODE@db:5432/sundhedscloud
                (flere noder over samme PostgreSQL: hver node sit --port, samme --token-secret)

            Gateway (kræver Authorization: Bearer <JWT>):
              demo-login                              POST http://127.0.0.1:8080/auth/token  {"user":"akutlaege"}
              kilderne                                GET  http://127.0.0.1:8080/sources
              FHIR gennem gatewayen                   GET  http://127.0.0.1:8080/sources/{kilde}/fhir/Patient?identifier=...
              adgangsloggen                           GET  http://127.0.0.1:8080/AuditEvent?patient=CPR
            Nodens tilstand (lageret nås?):           GET  http://127.0.0.1:8080/health
            Kilderne melder ændringer til motoren:  POST http://127.0.0.1:8080/notify/{kilde}
            Emner:                                    GET  http://127.0.0.1:8080/SubscriptionTopic
            Abonnement med SSE:                       GET  http://127.0.0.1:8080/Subscription/{id}/$sse
            Fejl i kilderne kan ændres mens de kører:
              curl -X PUT -d '{"down":true}' http://127.0.0.1:8100/_demo/sources/hospital/fault
            """
    )

    @Flag(help: "Start demo-kildesystemerne med syntetiske patienter fra demo-data/.")
    var demo = false

    @Flag(help: "Afspil Bruno Test Elmers forløb og baggrundstrafik (kræver --demo).")
    var scenario = false

    @Option(help: "Scenariets hastighed: scenariesekunder pr. sekund.")
    var speed: Double = 1

    @Option(help: "Platformens port (standard 8080).")
    var port: Int?

    @Option(help: "Portbase for demo-kilderne: base+1 (hospital), base+2 (gp), base+3 (kommune); styring på base.")
    var portBase: Int = DemoSourceCluster.defaultPortBase

    @Option(help: "Adresse der lyttes på (standard 127.0.0.1).")
    var host: String?

    @Option(
        help: ArgumentHelp(
            "Indstillinger i TOML (storage, sources, users, port, host, token_secret, jwks, issuer, audience); standard: $XDG_CONFIG_HOME/sundhedscloud/sundhedscloud.toml hvis den findes. Flag på kommandolinjen vinder.",
            valueName: "fil"))
    var config: String?

    @Option(
        help: """
            Platformens lager: sqlite:STI eller postgres://BRUGER:KODE@VÆRT:PORT/DATABASE \
            (standard: $SUNDHEDSCLOUD_STORAGE, ellers sqlite:$XDG_DATA_HOME/sundhedscloud/platform.sqlite).
            """)
    var storage: String?

    @Option(help: "Brugere til demo-login (/auth/token), JSON som demo-data/users.json (uden --demo).")
    var users: String?

    @Option(help: "Kilderegister (TOML) for kilder der ikke er demo-kilder.")
    var sources: String?

    @Option(help: "Mappe med demodata (standard: ./demo-data eller $OVERBLIK_DEMO_DATA).")
    var data: String?

    @Option(
        name: .customLong("fault"),
        help: ArgumentHelp(
            "Fejlinjektion: KILDE:down | KILDE:latency=MS[,error-rate=0..1][,error=http-500|html|truncated|garbage|hang]",
            valueName: "spec"))
    var faults: [String] = []

    @Option(help: "Delt nøgle (HS256, mindst 32 tegn) til adgangstokens; ellers $SUNDHEDSCLOUD_TOKEN_SECRET.")
    var tokenSecret: String?

    @Option(help: "JWKS-fil med de offentlige nøgler fra en rigtig identitetsudbyder (i stedet for --token-secret).")
    var jwks: String?

    @Option(help: "Forventet udsteder (iss) af adgangstokens (standard \(TokenAuthority.defaultIssuer)).")
    var issuer: String?

    @Option(help: "Forventet modtager (aud) af adgangstokens (standard \(TokenAuthority.defaultAudience)).")
    var audience: String?

    @Flag(help: "Behold datoerne som i demo-data/ i stedet for at flytte dem, så dataenes 'i dag' bliver i dag.")
    var noDateShift = false

    @Option(help: ArgumentHelp("Nodens certifikatkæde (PEM) til TLS. Med --demo uden: et engangs-demo-CA.", valueName: "fil"))
    var tlsCert: String?

    @Option(help: ArgumentHelp("Nodens private nøgle (PEM) til --tls-cert.", valueName: "fil"))
    var tlsKey: String?

    @Option(help: ArgumentHelp("Kræv klientcertifikat udstedt af dette CA (gensidig TLS).", valueName: "fil"))
    var tlsClientCa: String?

    @Option(
        help: ArgumentHelp(
            "CA-bundt (PEM) til kildernes og rest-hook-modtagernes certifikater, ud over systemets.", valueName: "fil"))
    var ca: String?

    @Option(help: ArgumentHelp("Gatewayens klientcertifikat (PEM) til kilder der kræver gensidig TLS.", valueName: "fil"))
    var clientCert: String?

    @Option(help: ArgumentHelp("Nøglen til --client-cert.", valueName: "fil"))
    var clientKey: String?

    @Option(
        help: ArgumentHelp(
            "Kun med --demo uden --tls-cert: mappen til engangs-CA'et (standard $XDG_STATE_HOME/sundhedscloud/demo-tls).",
            valueName: "mappe"))
    var demoTlsDir: String?

    @Option(
        help: ArgumentHelp(
            "Nodens Ed25519-nøgle (PEM) til underskrevne checkpoints af adgangsloggen; laves hvis den ikke findes (standard $XDG_DATA_HOME/sundhedscloud/audit-signing-key.pem).",
            valueName: "fil"))
    var auditKey: String?

    @Option(
        help: ArgumentHelp(
            "Fil (JSON-linjer) som nodens checkpoints af adgangsloggen føjes til; hold den uden for databasen (standard $XDG_DATA_HOME/sundhedscloud/audit-checkpoints.jsonl).",
            valueName: "fil"))
    var auditCheckpoints: String?

    @Flag(
        name: .customLong("insecure-http"),
        help: "Ukrypteret HTTP i stedet for TLS (kun til test og målinger): siges i loggen og i /health.")
    var insecureHTTP = false

    mutating func validate() throws {
        // The configuration file fills what the command line (and for storage and secret, the environment) left.
        let file: PlatformConfiguration
        do {
            file = try PlatformConfiguration.load(path: config)
        } catch {
            throw ValidationError("\(error)")
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
        if (tlsCert == nil) != (tlsKey == nil) { throw ValidationError("Angiv både --tls-cert og --tls-key.") }
        if (clientCert == nil) != (clientKey == nil) { throw ValidationError("Angiv både --client-cert og --client-key.") }
        if insecureHTTP, tlsCert != nil { throw ValidationError("Brug enten --tls-cert/--tls-key eller --insecure-http.") }
        if !demo, !insecureHTTP, tlsCert == nil {
            throw ValidationError(
                "Platformen kører med TLS: angiv --tls-cert FIL og --tls-key FIL (eller i konfigurationen), eller --insecure-http for ukrypteret HTTP."
            )
        }
        guard demo || sources != nil else {
            throw ValidationError("Angiv --demo (demo-kilderne) eller --sources FIL (et kilderegister).")
        }
        guard !scenario || demo else { throw ValidationError("--scenario kræver --demo") }
        guard speed > 0, speed <= 10_000 else { throw ValidationError("--speed skal være mellem 0 og 10000") }
        guard (1...65_000).contains(portBase) else { throw ValidationError("--port-base skal være mellem 1 og 65000") }
        guard (0...65_535).contains(port ?? 8080) else { throw ValidationError("--port skal være mellem 0 og 65535") }
        _ = try parsedFaults()
        do {
            try PlatformStorageLocation.validate(storageLocation())
        } catch {
            throw ValidationError("\(error)")
        }
        if tokenSecret != nil, jwks != nil { throw ValidationError("Brug enten --token-secret eller --jwks, ikke begge.") }
        if !demo, jwks == nil, (tokenSecret ?? ProcessInfo.processInfo.environment["SUNDHEDSCLOUD_TOKEN_SECRET"]) == nil {
            throw ValidationError(
                "Gatewayen skal kunne kontrollere adgangstokens: angiv --jwks FIL eller --token-secret (eller $SUNDHEDSCLOUD_TOKEN_SECRET)."
            )
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
            throw ValidationError("\(error)")
        }
    }

    func parsedFaults() throws -> [String: FaultSettings] {
        do {
            return try FaultSettings.parse(options: faults)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// `--storage`, else `$SUNDHEDSCLOUD_STORAGE`, else the SQLite file under the XDG data folder.
    func storageLocation() -> String {
        storage ?? ProcessInfo.processInfo.environment["SUNDHEDSCLOUD_STORAGE"]
            ?? "sqlite:" + XDGDirectory.data.path("platform.sqlite", app: "sundhedscloud")
    }

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
            throw ValidationError("TLS: \(error)")
        } catch {
            throw ValidationError("TLS: demo-certifikaterne kunne ikke laves: \(error)")
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
                throw ValidationError("\(error)")
            }
        }
        if demo {
            let directory: URL
            if let data {
                directory = URL(fileURLWithPath: data)
            } else if let found = DemoDataSet.locateDirectory() {
                directory = found
            } else {
                throw ValidationError("Fandt ikke demo-data/. Kør fra projektmappen eller angiv --data MAPPE.")
            }
            do {
                dataSet = try DemoDataSet.load(from: directory, dateShift: noDateShift ? DateShift.none : nil)
            } catch {
                throw ValidationError("Demodata kan ikke indlæses: \(error)")
            }
            do {
                // The demo sources ask for the gateway's client certificate (mutual TLS), as a health network would.
                cluster = try DemoSourceCluster(
                    data: dataSet!, host: host, ports: .manifest(base: portBase), faults: try parsedFaults(),
                    tls: try security.pki?.mutualServerTLS() ?? security.server)
            } catch {
                throw ValidationError("\(error)")
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
                throw ValidationError("\(error)")
            }
        }
        if let file = self.users {
            do {
                users = try Identity.loadUsers(file: URL(fileURLWithPath: file))
            } catch {
                throw ValidationError("\(error)")
            }
        }
        var logger = Logger(label: "sundhedscloud")
        logger.logLevel = .warning
        let storage: any PlatformStorage
        do {
            storage = try PlatformStorageLocation.open(storageLocation(), logger: logger)
        } catch {
            throw ValidationError("\(error)")
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
            throw ValidationError("Adgangsloggens nøgle: \(error)")
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
        node.auditCheckpoints = auditCheckpoints ?? XDGDirectory.data.path("audit-checkpoints.jsonl", app: "sundhedscloud")
        node.node = "\(host):\(port)"
        node.logger = logger
        let (engine, gateway) = PlatformAssembly.assemble(node)
        let service = PlatformService(
            engine: engine, gateway: gateway, host: host, port: port, tls: security.server, trust: security.trust,
            pki: security.pki, storage: storage, cluster: cluster,
            patients: dataSet?.manifest.patients.count ?? 0, scenario: scenario, speed: speed)
        let group = ServiceGroup(
            configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Runs the engine (and the demo sources, and the scenario) until SIGINT/SIGTERM, then stops them in order.
struct PlatformService: Service {
    let engine: EventEngine
    let gateway: Gateway
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
            server = try await PlatformServer.start(engine: engine, gateway: gateway, host: host, port: port, tls: tls)
        } catch let error as PlatformListenError {
            await storage.shutdown()
            throw StartupError("\(error). Er porten optaget? Brug --port.")
        } catch {
            await storage.shutdown()
            throw StartupError("\(error)")
        }
        var lines = [
            "SundhedsCloud kører" + (tls == nil ? " UDEN KRYPTERING (--insecure-http)." : " med TLS."),
            "  " + "gateway".padding(toLength: 14, withPad: " ", startingAt: 0) + server.baseURL
                + "   integrationsgateway: /sources, /AuditEvent" + (gateway.users.isEmpty ? "" : ", demo-login /auth/token"),
            "  " + "motor".padding(toLength: 14, withPad: " ", startingAt: 0) + server.baseURL
                + "   hændelsesmotor (lager: \(storage.location)), tilstand: /health",
            "  " + "checkpoints".padding(toLength: 14, withPad: " ", startingAt: 0) + (gateway.checkpoints.file ?? "-")
                + "   underskrevne checkpoints af adgangsloggen (nøgle \(gateway.checkpoints.key.publicKeyText.prefix(12))…)",
        ]
        var player: ScenarioPlayer?
        if let cluster {
            do {
                try await cluster.start()
            } catch {
                await server.stop()
                throw ValidationError("\(error)")
            }
            await cluster.connect(engineURL: server.baseURL, trust: trust)
            lines.append("Demo-kilder (syntetiske data, \(patients) patienter):")
            for source in cluster.servers {
                let url = await source.baseURL ?? "-"
                let state = source.faults.current.down ? "  (nede: fejlinjektion)" : ""
                lines.append(
                    "  " + source.id.padding(toLength: 14, withPad: " ", startingAt: 0) + url + "   " + source.name + state)
            }
            if let control = await cluster.controlURL {
                lines.append("  " + "styring".padding(toLength: 14, withPad: " ", startingAt: 0) + control + "/_demo/sources")
            }
            if scenario {
                player = ScenarioPlayer(cluster: cluster, speed: speed) { line in
                    FileHandle.standardOutput.write(Data("scenarie \(line)\n".utf8))
                }
                lines.append("Scenariet afspilles med hastighed \(speed): Bruno Test Elmer ankommer efter \(Int(15 / speed)) s.")
            }
        }
        if let pki {
            lines.append("Demo-CA (engangs, kun til demo): \(pki.caFile)")
            lines.append("  curl --cacert \(pki.caFile) \(server.baseURL)/health")
        }
        lines.append("Stop med Ctrl-C.")
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        player?.start()
        try? await gracefulShutdown()
        player?.stop()
        if let cluster { await cluster.stop() }
        await server.stop()
        await storage.shutdown()
        FileHandle.standardOutput.write(Data("SundhedsCloud er stoppet.\n".utf8))
    }
}

/// The node could not start (its storage or its port); said once, without the usage text.
struct StartupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
