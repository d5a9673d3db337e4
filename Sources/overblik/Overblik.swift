import ArgumentParser
import FHIR
import Federation
import Foundation
import OverblikApp

@main
struct Overblik: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overblik",
        abstract: "Overblik: patientens samlede forløb på tværs af hospital, almen praksis og kommune.",
        discussion: """
            Uden underkommando åbnes terminalprogrammet. Eksempler:
              overblik --demo                  demo-platformen, akutmodtagelsens tavle og scenariet
              overblik --demo --user egen-laege   som egen læge: notifikationer om dine patienter
              overblik --demo --speed 10       scenariet ti gange så hurtigt (0: intet scenarie)
              overblik --demo --lang en        på engelsk
              overblik --sources kilder.toml
              overblik --demo --plain          lineær tekst til skærmlæsere
            """,
        subcommands: [OverviewCommand.self, CacheCommand.self]
    )

    @OptionGroup var sourceOptions: SourceOptions

    @Option(help: "Sprog: da (standard) eller en.")
    var lang: String = "da"

    @Flag(help: "Lineær tekst uden bokse og farver (skærmlæsere); læser CPR-numre fra tastaturet.")
    var plain = false

    @Option(help: "Åbn denne patient med det samme (CPR).")
    var patient: String?

    func validate() throws {
        guard Language(rawValue: lang) != nil else { throw ValidationError("--lang skal være da eller en") }
        if let patient {
            do { _ = try CPRNumber(patient) } catch { throw ValidationError("\(error)") }
        }
    }

    func run() async throws {
        let (registry, startup, feed) = try await sourceOptions.resolve()
        let http = FHIRHTTPClient.makeHTTPClient()
        var cache: ResourceCache?
        do {
            cache = try ResourceCache(path: ResourceCache.defaultPath(), key: try CacheKeyStore.loadOrCreate())
        } catch {
            FileHandle.standardError.write(Data("Advarsel: cachen bruges ikke: \(error)\n".utf8))
        }
        let client = FederatedClient(registry: registry, client: FHIRHTTPClient(http: http), cache: cache)
        let language = Language(rawValue: lang) ?? .da
        let status: Int32
        if plain || isatty(0) == 0 || isatty(1) == 0 {
            _ = try await startup?.ready()
            status = await PlainSession(client: client, initial: patient.flatMap { try? CPRNumber($0) }).run()
        } else {
            // The screen opens at once; fetches wait until the embedded demo sources answer.
            var readiness: (@Sendable () async throws -> Void)?
            if let startup {
                readiness = { _ = try await startup.ready() }
            }
            let app = TerminalApp(
                client: client,
                options: .init(
                    language: language, boardEnabled: registry.sources.contains { $0.sector == .hospital },
                    initialCPR: patient.flatMap { try? CPRNumber($0) }, events: feed),
                readiness: readiness)
            status = await app.run()
        }
        try? await http.shutdown()
        await startup?.stop()
        if status != 0 { throw ExitCode(status) }
    }
}
