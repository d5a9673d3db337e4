import ArgumentParser
import DemoSources
import Foundation
import Logging
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start platformen. Med --demo: de tre demo-kilder (hospital, almen praksis, kommune) som FHIR R4-servere.",
        discussion: """
            Eksempler:
              sundhedscloud serve --demo
              sundhedscloud serve --demo --port-base 9100
              sundhedscloud serve --demo --fault hospital:latency=3000 --fault gp:error=http-500,error-rate=0.2
              sundhedscloud serve --demo --fault municipality:down

            Fejl kan også ændres mens den kører:
              curl -X PUT -d '{"down":true}' http://127.0.0.1:8100/_demo/sources/hospital/fault
            """
    )

    @Flag(help: "Start demo-kildesystemerne med syntetiske patienter fra demo-data/.")
    var demo = false

    @Option(help: "Portbase: kilderne lytter på base+1 (hospital), base+2 (gp), base+3 (kommune); styring på base.")
    var portBase: Int = DemoSourceCluster.defaultPortBase

    @Option(help: "Adresse der lyttes på.")
    var host = "127.0.0.1"

    @Option(help: "Mappe med demodata (standard: ./demo-data eller $OVERBLIK_DEMO_DATA).")
    var data: String?

    @Option(
        name: .customLong("fault"),
        help: ArgumentHelp(
            "Fejlinjektion: KILDE:down | KILDE:latency=MS[,error-rate=0..1][,error=http-500|html|truncated|garbage|hang]",
            valueName: "spec"))
    var faults: [String] = []

    @Flag(help: "Behold datoerne som i demo-data/ i stedet for at flytte dem, så dataenes 'i dag' bliver i dag.")
    var noDateShift = false

    func validate() throws {
        guard demo else {
            throw ValidationError("Angiv --demo. (Gateway og hændelsesmotor mod egne kilder kommer i en senere version.)")
        }
        guard (1...65_000).contains(portBase) else { throw ValidationError("--port-base skal være mellem 1 og 65000") }
        _ = try parsedFaults()
    }

    func parsedFaults() throws -> [String: FaultSettings] {
        do {
            return try FaultSettings.parse(options: faults)
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        let directory: URL
        if let data {
            directory = URL(fileURLWithPath: data)
        } else if let found = DemoDataSet.locateDirectory() {
            directory = found
        } else {
            throw ValidationError("Fandt ikke demo-data/. Kør fra projektmappen eller angiv --data MAPPE.")
        }
        let dataSet: DemoDataSet
        do {
            dataSet = try DemoDataSet.load(from: directory, dateShift: noDateShift ? DateShift.none : nil)
        } catch {
            throw ValidationError("Demodata kan ikke indlæses: \(error)")
        }
        let cluster: DemoSourceCluster
        do {
            cluster = try DemoSourceCluster(
                data: dataSet, host: host, ports: .manifest(base: portBase), faults: try parsedFaults())
        } catch {
            throw ValidationError("\(error)")
        }
        var logger = Logger(label: "sundhedscloud")
        logger.logLevel = .warning
        let group = ServiceGroup(
            configuration: .init(
                services: [DemoSourcesService(cluster: cluster, patients: dataSet.manifest.patients.count)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
    }
}

/// Runs the demo sources until SIGINT/SIGTERM, then stops them.
struct DemoSourcesService: Service {
    let cluster: DemoSourceCluster
    let patients: Int

    func run() async throws {
        try await cluster.start()
        var lines = ["SundhedsCloud demo-kilder kører (syntetiske data, \(patients) patienter):"]
        for server in cluster.servers {
            let url = await server.baseURL ?? "-"
            let state = server.faults.current.down ? "  (nede: fejlinjektion)" : ""
            lines.append("  " + server.id.padding(toLength: 14, withPad: " ", startingAt: 0) + url + "   " + server.name + state)
        }
        if let control = await cluster.controlURL {
            lines.append("  " + "styring".padding(toLength: 14, withPad: " ", startingAt: 0) + control + "/_demo/sources")
        }
        lines.append("Stop med Ctrl-C.")
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        try? await gracefulShutdown()
        await cluster.stop()
        FileHandle.standardOutput.write(Data("Demo-kilderne er stoppet.\n".utf8))
    }
}
