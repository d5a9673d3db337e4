import ArgumentParser
import Assembly
import AsyncHTTPClient
import DemoSources
import EventStream
import FHIR
import Federation
import Foundation
import OverblikApp
import Platform
import Transport
import Words

/// Where the sources come from: `--demo` (embedded demo sources), `--sources FILE`, or the user's configuration.
struct SourceOptions: ParsableArguments {
    @Flag(help: ArgumentHelp(CLI.text("cli.help.demo")))
    var demo = false

    @Option(help: ArgumentHelp(CLI.text("cli.help.sources")))
    var sources: String?

    @Option(
        name: .customLong("fault"),
        help: ArgumentHelp(CLI.text("cli.help.fault"), valueName: "spec"))
    var faults: [String] = []

    @Option(
        help: ArgumentHelp(
            CLI.text("cli.help.user"),
            valueName: CLI.text("cli.value.user")))
    var user: String?

    @Option(help: ArgumentHelp(CLI.text("cli.help.speed")))
    var speed: Double = 1

    @Option(
        help: ArgumentHelp(
            CLI.text("cli.help.gateway"),
            valueName: "url[,url]"))
    var gateway: String?

    @Option(help: ArgumentHelp(CLI.text("cli.help.token")))
    var token: String?

    @Option(
        help: ArgumentHelp(
            CLI.text("cli.help.ca"),
            valueName: CLI.text("cli.value.file")))
    var ca: String?

    @Flag(
        name: .customLong("insecure-http"),
        help: ArgumentHelp(CLI.text("cli.help.insecure-http")))
    var insecureHTTP = false

    @Flag(help: ArgumentHelp(CLI.text("cli.help.no-date-shift")))
    var noDateShift = false

    /// The gateway nodes given with `--gateway`.
    var gatewayURLs: [String] {
        (gateway ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func validate() throws {
        guard speed >= 0, speed <= 10_000 else { throw ValidationError(CLI.text("cli.error.speed")) }
        if demo, sources != nil { throw ValidationError(CLI.text("cli.error.demo-or-sources")) }
        if gateway != nil {
            if demo || sources != nil { throw ValidationError(CLI.text("cli.error.gateway-alone")) }
            for url in gatewayURLs {
                guard let components = URLComponents(string: url), ["http", "https"].contains(components.scheme ?? ""),
                    components.host?.isEmpty == false
                else { throw ValidationError(CLI.text("cli.error.gateway-url", ["url": .text(url)])) }
            }
            if gatewayURLs.isEmpty { throw ValidationError(CLI.text("cli.error.gateway-none")) }
            if user != nil, token != nil { throw ValidationError(CLI.text("cli.error.user-or-token")) }
        } else if token != nil {
            throw ValidationError(CLI.text("cli.error.token-needs-gateway"))
        }
        if !faults.isEmpty, !demo { throw ValidationError(CLI.text("cli.error.fault-needs-demo")) }
        if insecureHTTP, !demo { throw ValidationError(CLI.text("cli.error.insecure-needs-demo")) }
    }

    /// Through a running SundhedsCloud gateway (one or several nodes): log in (demo login as `--user`, asked for
    /// when interactive; or a token), then the sources as the gateway lists them and the user's standing
    /// subscription from their profile.
    func resolveGateway(http: HTTPClient, ask: Bool, language: Language = .da) async throws -> (Resolved, GatewayLogin) {
        let urls = gatewayURLs
        let login: GatewayLogin
        if let token = token ?? ProcessInfo.processInfo.environment["OVERBLIK_TOKEN"], user == nil {
            login = GatewayLogin(gatewayURL: urls[0], alternateURLs: Array(urls.dropFirst()), token: token, http: http)
        } else {
            var chosen = user
            if chosen == nil {
                let users = await Self.gatewayUsers(urls, http: http)
                guard !users.isEmpty else {
                    throw ValidationError(
                        CLI.text("cli.error.gateway-no-login", ["urls": .text(urls.joined(separator: ", "))])
                    )
                }
                chosen = ask ? try Self.ask(users, language: language) : users[0].id
            }
            login = GatewayLogin(
                gatewayURL: urls[0], alternateURLs: Array(urls.dropFirst()), demoUser: chosen ?? "", http: http)
        }
        let registry: SourceRegistry
        do {
            _ = try await login.token()
            registry = try await login.sources()
        } catch {
            throw ValidationError(
                CLI.text("cli.error.gateway", ["urls": .text(urls.joined(separator: ", ")), "error": .text(CLI.words(error))]))
        }
        let profile = login.user
        let role = profile?["role"]?.stringValue
        var feed: EventFeed?
        if let standing = profile?["subscription"], let topic = standing["topic"]?.stringValue {
            let filters = standing["filters"]?.listValue.compactMap(\.stringValue) ?? []
            let owner = login.userID ?? profile?["id"]?.stringValue ?? "overblik"
            feed = EventFeed(
                engineURL: login.gatewayURL, alternateURLs: urls,
                wish: SubscriptionSetup.Wish(topic: topic, filters: filters, owner: owner))
        }
        let citizen = role == "citizen" ? profile?["cpr"]?.stringValue.flatMap { try? CPRNumber($0) } : nil
        return (
            Resolved(
                registry: registry, feed: feed, gateway: (login.gatewayURL, login.userID ?? "token"),
                initialCPR: citizen, role: role),
            login
        )
    }

    /// The demo users a gateway offers (`GET /auth/users`), from the first node that answers.
    static func gatewayUsers(_ urls: [String], http: HTTPClient) async -> [DemoUser] {
        for url in urls {
            guard let response = try? await http.execute(HTTPClientRequest(url: url + "/auth/users"), timeout: .seconds(5)),
                response.status == .ok, let body = try? await response.body.collect(upTo: 1 << 20)
            else { continue }
            struct Users: Decodable { var users: [DemoUser] }
            if let users = try? JSONDecoder().decode(Users.self, from: Data(body.readableBytesView)).users {
                return users.filter(\.usesOverblik).map { user in
                    var clean = user
                    clean.name = TextSanitizer.cleanLine(user.name)
                    clean.title = user.title.map { TextSanitizer.cleanLine($0) }
                    return clean
                }
            }
        }
        return []
    }

    static var configuredSourcesPath: String { XDGDirectory.config.path("sources.toml") }

    /// What the client trusts, made before anything connects: with `--demo` a throwaway CA of this run (its
    /// servers get certificates from it), otherwise `--ca` and the registry's `ca` files besides the system store.
    func security() throws -> ClientSecurity {
        if demo {
            if insecureHTTP {
                FileHandle.standardError.write(
                    Data((CLI.text("cli.warning.insecure-http") + "\n").utf8))
                return ClientSecurity(trust: .system, pki: nil)
            }
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "overblik-demo-tls-\(getpid())-\(UUID().uuidString.prefix(8))")
            do {
                let pki = try DemoPKI.make(in: folder)
                return ClientSecurity(trust: try pki.clientTLS(), pki: pki)
            } catch {
                throw ValidationError(CLI.text("cli.error.demo-certificates", ["error": .text(CLI.words(error))]))
            }
        }
        var cas = ca.map { [$0] } ?? []
        if gateway == nil {
            let path = sources ?? Self.configuredSourcesPath
            if let registry = try? SourceRegistry.load(path: path) { cas += registry.sources.compactMap(\.ca) }
        }
        do {
            return ClientSecurity(trust: try ClientTLS.load(cas: cas), pki: nil)
        } catch {
            throw ValidationError("\(ca == nil ? "ca" : "--ca"): \(CLI.words(error))")
        }
    }

    /// What `resolve` found: the registry the client uses, the embedded demo starting, the user's event feed, and the
    /// gateway session to log in with (the demo's TUI goes through the gateway as the chosen user).
    struct Resolved {
        var registry: SourceRegistry
        var startup: DemoStartup?
        var feed: EventFeed?
        var gateway: (url: String, user: String)?
        var initialCPR: CPRNumber?
        /// The demo user's role (ed-doctor, gp, citizen, ...), when there is one.
        var role: String?
    }

    /// The registry to use, and for `--demo` the task that loads and starts the embedded demo sources. The registry
    /// is known at once (ports are reserved first), so a screen can open while the demo data loads. With
    /// `throughGateway`, the demo's sources are reached through the embedded gateway as the demo user (asked for
    /// when `--user` is not given and `ask` is set); without, directly (the CLI's `overview --demo`).
    func resolve(
        throughGateway: Bool = false, ask: Bool = false, language: Language = .da, security: ClientSecurity
    ) async throws -> Resolved {
        if demo {
            guard let directory = DemoDataSet.locateDirectory() else {
                throw ValidationError(CLI.text("cli.error.no-demo-data"))
            }
            let parsed: [String: FaultSettings]
            do {
                parsed = try FaultSettings.parse(options: faults)
            } catch {
                throw ValidationError(error.description)
            }
            let manifest: DemoManifest
            let ports: [String: Int]
            do {
                manifest = try DemoDataSet.loadManifest(from: directory)
                ports = try DemoSourceCluster.reservePorts(for: manifest)
            } catch {
                throw ValidationError(CLI.words(error))
            }
            for id in parsed.keys where !manifest.sources.contains(where: { $0.id == id }) {
                throw ValidationError(CLI.text("cli.error.fault-source", ["source": .text(id)]))
            }
            let pki = security.pki
            let scheme = pki == nil ? "http" : "https"
            let direct = SourceRegistry(
                sources: manifest.sources.map { source in
                    SourceDefinition(demo: source, fhir: "\(scheme)://127.0.0.1:\(ports[source.id] ?? 0)/fhir")
                })
            // The demo writes its own registry, in the same format a user would.
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("overblik-demo-sources-\(getpid()).toml")
            try? direct.toml().write(to: file, atomically: true, encoding: .utf8)
            let users: [DemoUser]
            let enginePort: Int
            do {
                users = try DemoUser.load(from: directory).filter(\.usesOverblik)
                var port = try DemoSourceServer.freePort(host: "127.0.0.1")
                while ports.values.contains(port) { port = try DemoSourceServer.freePort(host: "127.0.0.1") }
                enginePort = port
            } catch {
                throw ValidationError(CLI.words(error))
            }
            let chosen = try user ?? (throughGateway && ask ? Self.ask(users, language: language) : "akutlaege")
            guard let who = users.first(where: { $0.id == chosen }) else {
                throw ValidationError(
                    CLI.text(
                        "cli.error.unknown-user",
                        ["user": .text(chosen), "users": .text(users.map(\.id).joined(separator: ", "))]))
            }
            let faults = parsed
            let speed = speed
            let noDateShift = noDateShift
            let engineURL = "\(scheme)://127.0.0.1:\(enginePort)"
            let startup = DemoStartup(
                task: Task {
                    let data = try DemoDataSet.load(from: directory, dateShift: noDateShift ? DateShift.none : nil)
                    // TLS end to end: the sources ask for the gateway's client certificate when the TUI goes through
                    // the gateway (mutual TLS, as in a health network); the CLI reading them directly has none.
                    let sourceTLS = try pki.map { throughGateway ? try $0.mutualServerTLS() : try $0.serverTLS() }
                    let nodeTrust = try pki?.gatewayTLS() ?? .system
                    let cluster = try DemoSourceCluster(
                        data: data, ports: .fixed(ports), faults: faults, tls: sourceTLS)
                    // The embedded platform keeps its events in a throwaway database: each demo starts afresh.
                    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                        "overblik-demo-\(getpid())-\(UUID().uuidString.prefix(8))")
                    // The gateway: every request of the TUI passes it with the user's token, is decided and logged.
                    var node = PlatformAssembly.Configuration(
                        storage: try SQLiteStorage(path: folder.appendingPathComponent("platform.sqlite").path),
                        tokens: try await TokenAuthority.ephemeral())
                    node.sources = direct.sources
                    node.notifyCredentials = NotifyCredentials(secrets: cluster.notifySecrets)
                    node.users = try Identity.loadUsers(file: directory.appendingPathComponent("users.json"))
                    node.trust = nodeTrust
                    node.tls = try pki?.serverTLS()
                    node.port = enginePort
                    node.node = "overblik-demo"
                    node.demoApps = true
                    let server = try await PlatformAssembly.start(node)
                    try await cluster.start()
                    await cluster.connect(engineURL: server.baseURL, trust: try pki?.clientTLS())
                    if let gateway = server.gateway {
                        // Beside the TUI's first fetches, not before them.
                        let trust = try pki?.clientTLS() ?? .system
                        Task { await DemoApps.start(gateway: gateway, base: server.baseURL, trust: trust) }
                    }
                    var player: ScenarioPlayer?
                    if speed > 0 {
                        player = ScenarioPlayer(cluster: cluster, speed: speed)
                        player?.start()
                    }
                    return DemoPlatform(cluster: cluster, server: server, player: player, folder: folder)
                }, tlsFolder: pki?.directory)
            let feed = who.subscription.map {
                EventFeed(
                    engineURL: engineURL, wish: SubscriptionSetup.Wish(topic: $0.topic, filters: $0.filters, owner: who.id))
            }
            // Through the gateway: the same sources, each at the gateway's /sources/{id}/fhir.
            let registry =
                throughGateway
                ? SourceRegistry(
                    sources: direct.clinical.map { source in
                        var routed = source
                        routed.fhir = "\(engineURL)/sources/\(source.id)/fhir"
                        return routed
                    }) : direct
            return Resolved(
                registry: registry, startup: startup, feed: feed,
                gateway: throughGateway ? (engineURL, who.id) : nil,
                initialCPR: who.role == "citizen" ? who.cpr.flatMap { try? CPRNumber($0) } : nil, role: who.role)
        }
        let path = sources ?? Self.configuredSourcesPath
        guard sources != nil || FileManager.default.fileExists(atPath: path) else {
            throw ValidationError(CLI.text("cli.error.no-sources", ["path": .text(path)]))
        }
        do {
            return Resolved(registry: try SourceRegistry.load(path: path))
        } catch {
            throw ValidationError(error.words(CLI.strings.catalog))
        }
    }

    /// Asks on the terminal who the demo user is (before the screen opens); Enter picks the first, an unknown answer
    /// is said so and asked again, and the end of input picks the first.
    static func ask(_ users: [DemoUser], language: Language) throws -> String {
        let strings = Strings.for(language)
        var lines = [strings.text("prompt.who")]
        for (index, user) in users.enumerated() {
            // The role in the UI's words (the demo's own titles are Danish).
            let label = [user.name, strings.roleName(user.role), user.organization?.name].compactMap { $0 }
                .joined(separator: ", ")
            lines.append("  \(index + 1)  \(label)  [\(user.id)]")
        }
        let prompt = strings.text("prompt.choose", ["count": .integer(users.count)])
        FileHandle.standardOutput.write(Data((lines + [prompt]).joined(separator: "\n").utf8))
        while let answer = readLine(strippingNewline: true) {
            if let user = DemoUser.choice(answer, from: users) { return user.id }
            let shown = TextSanitizer.cleanLine(answer, maxLength: 40)
            FileHandle.standardOutput.write(
                Data(
                    (strings.text("prompt.unknown", ["answer": .text(shown), "count": .integer(users.count)]) + "\n" + prompt)
                        .utf8))
        }
        return users.first?.id ?? "akutlaege"
    }
}

/// The embedded demo platform: sources, event engine and scenario in this process.
struct DemoPlatform: Sendable {
    let cluster: DemoSourceCluster
    let server: PlatformServer
    let player: ScenarioPlayer?
    let folder: URL
}

/// What the client trusts, and with `--demo` the run's throwaway CA.
struct ClientSecurity: Sendable {
    let trust: ClientTLS
    let pki: DemoPKI?
}

/// The embedded demo platform starting in the background.
struct DemoStartup: Sendable {
    let task: Task<DemoPlatform, any Error>
    /// The run's throwaway certificates, removed at the end.
    var tlsFolder: URL?

    /// Waits until the sources answer; a failure is a clear error for the user.
    @discardableResult
    func ready() async throws -> DemoPlatform {
        do {
            return try await task.value
        } catch {
            throw ValidationError(CLI.text("cli.error.demo-start", ["error": .text(CLI.words(error))]))
        }
    }

    func stop() async {
        defer { if let tlsFolder { try? FileManager.default.removeItem(at: tlsFolder) } }
        guard let platform = try? await task.value else { return }
        platform.player?.stop()
        await platform.cluster.stop()
        await platform.server.stop()
        try? FileManager.default.removeItem(at: platform.folder)
    }
}
