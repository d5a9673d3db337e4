import ArgumentParser

@main
struct Sundhedscloud: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sundhedscloud",
        abstract: CLI.text("platform-cli.abstract.sundhedscloud"),
        subcommands: [
            Serve.self, Audit.self, Apps.self, Cohort.self, ResearchCommand.self, TLSCommand.self, SourceSecretCommand.self,
        ],
        defaultSubcommand: Serve.self
    )
}
