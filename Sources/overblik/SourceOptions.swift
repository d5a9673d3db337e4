import ArgumentParser
import DemoSources
import Federation
import Foundation

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

    func validate() throws {
        if demo, sources != nil { throw ValidationError("Brug enten --demo eller --sources, ikke begge.") }
        if !faults.isEmpty, !demo { throw ValidationError("--fault virker kun sammen med --demo.") }
    }

    static var configuredSourcesPath: String { XDGDirectory.config.path("sources.toml") }

    /// The registry to use, and for `--demo` the task that loads and starts the embedded demo sources. The registry
    /// is known at once (ports are reserved first), so a screen can open while the demo data loads.
    func resolve() async throws -> (SourceRegistry, DemoStartup?) {
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
            let faults = parsed
            let startup = DemoStartup(
                task: Task {
                    let data = try DemoDataSet.load(from: directory)
                    let cluster = try DemoSourceCluster(data: data, ports: .fixed(ports), faults: faults)
                    try await cluster.start()
                    return cluster
                })
            return (registry, startup)
        }
        let path = sources ?? Self.configuredSourcesPath
        guard sources != nil || FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("Ingen kilder: angiv --sources FIL, læg en fil i \(path), eller prøv med --demo.")
        }
        do {
            return (try SourceRegistry.load(path: path), nil)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}

/// The embedded demo sources starting in the background.
struct DemoStartup: Sendable {
    let task: Task<DemoSourceCluster, any Error>

    /// Waits until the sources answer; a failure is a clear error for the user.
    func ready() async throws -> DemoSourceCluster {
        do {
            return try await task.value
        } catch {
            throw ValidationError("Demo-kilderne kunne ikke starte: \(error)")
        }
    }

    func stop() async {
        if let cluster = try? await task.value { await cluster.stop() }
    }
}
