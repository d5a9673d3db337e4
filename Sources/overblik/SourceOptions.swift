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

    static var configuredSourcesPath: String {
        let environment = ProcessInfo.processInfo.environment
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.config"
        return config + "/overblik/sources.toml"
    }

    /// The registry to use, and the demo cluster if one was started (stop it when done).
    func resolve() async throws -> (SourceRegistry, DemoSourceCluster?) {
        if demo {
            guard let directory = DemoDataSet.locateDirectory() else {
                throw ValidationError("Fandt ikke demo-data/. Kør fra projektmappen eller sæt OVERBLIK_DEMO_DATA.")
            }
            var parsed: [String: FaultSettings] = [:]
            for spec in faults {
                guard let colon = spec.firstIndex(of: ":") else {
                    throw ValidationError("--fault '\(spec)': skriv KILDE:indstillinger")
                }
                do {
                    parsed[String(spec[..<colon])] = try FaultSettings(spec: String(spec[spec.index(after: colon)...]))
                } catch {
                    throw ValidationError("--fault '\(spec)': \(error)")
                }
            }
            let data: DemoDataSet
            do {
                data = try DemoDataSet.load(from: directory)
            } catch {
                throw ValidationError("Demodata kan ikke indlæses: \(error)")
            }
            let cluster: DemoSourceCluster
            do {
                cluster = try DemoSourceCluster(data: data, ports: .ephemeral, faults: parsed)
                try await cluster.start()
            } catch {
                throw ValidationError("\(error)")
            }
            var definitions: [SourceDefinition] = []
            for server in cluster.servers {
                let sector = Sector(rawValue: server.sector) ?? .other
                definitions.append(
                    SourceDefinition(id: server.id, name: server.name, sector: sector, fhir: await server.baseURL ?? ""))
            }
            let registry = SourceRegistry(sources: definitions)
            // The demo writes its own registry, in the same format a user would.
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("overblik-demo-sources-\(getpid()).toml")
            try? registry.toml().write(to: file, atomically: true, encoding: .utf8)
            return (registry, cluster)
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
