import ArgumentParser
import DemoSources
import EventStream
import Federation
import Foundation
import OverblikApp
import Platform

/// Where the sources come from: `--demo` (embedded demo sources), `--sources FILE`, or the user's configuration.
struct SourceOptions: ParsableArguments {
    @Flag(help: "Start de indbyggede demo-kilder (syntetiske patienter) og brug dem.")
    var demo = false

    @Option(help: "TOML-fil med kilderne ([[source]]-tabeller).")
    var sources: String?

    @Option(
        name: .customLong("fault"),
        help: ArgumentHelp("Kun med --demo: fejlinjektion, fx hospital:down eller hospital:latency=3000.", valueName: "spec"))
    var faults: [String] = []

    @Option(help: "Kun med --demo: hvem du er (demo-data/users.json): akutlaege, egen-laege, hjemmesygeplejerske, ...")
    var user: String = "akutlaege"

    @Option(help: "Kun med --demo: scenariets hastighed (scenariesekunder pr. sekund); 0 slår scenariet fra.")
    var speed: Double = 1

    func validate() throws {
        guard speed >= 0, speed <= 10_000 else { throw ValidationError("--speed skal være mellem 0 og 10000") }
        if demo, sources != nil { throw ValidationError("Brug enten --demo eller --sources, ikke begge.") }
        if !faults.isEmpty, !demo { throw ValidationError("--fault virker kun sammen med --demo.") }
    }

    static var configuredSourcesPath: String { XDGDirectory.config.path("sources.toml") }

    /// The registry to use, and for `--demo` the task that loads and starts the embedded demo sources. The registry
    /// is known at once (ports are reserved first), so a screen can open while the demo data loads.
    func resolve() async throws -> (SourceRegistry, DemoStartup?, EventFeed?) {
        if demo {
            guard let directory = DemoDataSet.locateDirectory() else {
                throw ValidationError("Fandt ikke demo-data/. Kør fra projektmappen eller sæt OVERBLIK_DEMO_DATA.")
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
                throw ValidationError("\(error)")
            }
            for id in parsed.keys where !manifest.sources.contains(where: { $0.id == id }) {
                throw ValidationError("--fault: ukendt kilde '\(id)'")
            }
            let registry = SourceRegistry(
                sources: manifest.sources.map { source in
                    SourceDefinition(
                        id: source.id, name: source.name, sector: Sector(rawValue: source.sector) ?? .other,
                        fhir: "http://127.0.0.1:\(ports[source.id] ?? 0)/fhir")
                })
            // The demo writes its own registry, in the same format a user would.
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("overblik-demo-sources-\(getpid()).toml")
            try? registry.toml().write(to: file, atomically: true, encoding: .utf8)
            let users: [DemoUser]
            let enginePort: Int
            do {
                users = try DemoUser.load(from: directory)
                var port = try DemoSourceServer.freePort(host: "127.0.0.1")
                while ports.values.contains(port) { port = try DemoSourceServer.freePort(host: "127.0.0.1") }
                enginePort = port
            } catch {
                throw ValidationError("\(error)")
            }
            guard let who = users.first(where: { $0.id == user }) else {
                throw ValidationError(
                    "--user: ukendt demo-bruger '\(user)'; vælg en af \(users.map(\.id).joined(separator: ", "))")
            }
            let faults = parsed
            let speed = speed
            let engineURL = "http://127.0.0.1:\(enginePort)"
            let startup = DemoStartup(
                task: Task {
                    let data = try DemoDataSet.load(from: directory)
                    let cluster = try DemoSourceCluster(data: data, ports: .fixed(ports), faults: faults)
                    // The embedded platform keeps its events in a throwaway database: each demo starts afresh.
                    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                        "overblik-demo-\(getpid())-\(UUID().uuidString.prefix(8))")
                    let storage = try SQLiteStorage(path: folder.appendingPathComponent("platform.sqlite").path)
                    var sources: [String: String] = [:]
                    for source in registry.sources { sources[source.id] = source.fhir }
                    let engine = EventEngine(storage: storage, sources: sources)
                    let server = try await PlatformServer.start(engine: engine, port: enginePort)
                    try await cluster.start()
                    await cluster.connect(engineURL: server.baseURL)
                    var player: ScenarioPlayer?
                    if speed > 0 {
                        player = ScenarioPlayer(cluster: cluster, speed: speed)
                        player?.start()
                    }
                    return DemoPlatform(cluster: cluster, server: server, player: player, folder: folder)
                })
            let feed = who.subscription.map {
                EventFeed(
                    engineURL: engineURL, wish: SubscriptionSetup.Wish(topic: $0.topic, filters: $0.filters, owner: who.id))
            }
            return (registry, startup, feed)
        }
        let path = sources ?? Self.configuredSourcesPath
        guard sources != nil || FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("Ingen kilder: angiv --sources FIL, læg en fil i \(path), eller prøv med --demo.")
        }
        do {
            return (try SourceRegistry.load(path: path), nil, nil)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

/// The embedded demo platform: sources, event engine and scenario in this process.
struct DemoPlatform: Sendable {
    let cluster: DemoSourceCluster
    let server: PlatformServer
    let player: ScenarioPlayer?
    let folder: URL
}

/// The embedded demo platform starting in the background.
struct DemoStartup: Sendable {
    let task: Task<DemoPlatform, any Error>

    /// Waits until the sources answer; a failure is a clear error for the user.
    @discardableResult
    func ready() async throws -> DemoPlatform {
        do {
            return try await task.value
        } catch {
            throw ValidationError("Demo-platformen kunne ikke starte: \(error)")
        }
    }

    func stop() async {
        guard let platform = try? await task.value else { return }
        platform.player?.stop()
        await platform.cluster.stop()
        await platform.server.stop()
        try? FileManager.default.removeItem(at: platform.folder)
    }
}
