import ArgumentParser

@main
struct Sundhedscloud: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sundhedscloud",
        abstract: "SundhedsCloud: integrationsgateway, hændelsesmotor og demo-kildesystemer (FHIR R4) med syntetiske patienter.",
        subcommands: [Serve.self, Audit.self, TLSCommand.self, SourceSecretCommand.self],
        defaultSubcommand: Serve.self
    )
}
