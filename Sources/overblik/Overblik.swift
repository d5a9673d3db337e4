import ArgumentParser

@main
struct Overblik: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overblik",
        abstract: "Overblik: patientens samlede forløb på tværs af hospital, almen praksis og kommune.",
        subcommands: [OverviewCommand.self, CacheCommand.self]
    )
}
