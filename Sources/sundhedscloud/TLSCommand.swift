import ArgumentParser
import Foundation
import Platform
import Transport
import Words

/// `sundhedscloud tls demo-ca DIR`: a throwaway CA and certificates for 127.0.0.1/localhost (demo and tests only),
/// as `serve --demo` makes for itself; `make cluster` uses it to give two nodes the same CA.
struct TLSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls", abstract: CLI.text("platform-cli.abstract.tls"), subcommands: [DemoCA.self])

    struct DemoCA: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "demo-ca",
            abstract: CLI.text("platform-cli.abstract.demo-ca"))

        @Argument(help: ArgumentHelp(CLI.text("platform-cli.help.demo-ca-directory")))
        var directory: String

        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.days")))
        var days: Int = 7

        @OptionGroup var languageOption: LanguageOption

        func run() async throws {
            guard (1...3650).contains(days) else { throw CLI.refusal("platform-cli.error.days") }
            let pki: DemoPKI
            do {
                pki = try DemoPKI.make(in: URL(fileURLWithPath: directory), days: days)
            } catch {
                throw CLI.failure(error)
            }
            print(CLI.text("platform-cli.demo-ca.ca", ["path": .text(pki.caFile)]))
            print(
                CLI.text(
                    "platform-cli.demo-ca.server",
                    ["certificate": .text(pki.serverCertificateFile), "key": .text(pki.serverKeyFile)]))
            print(
                CLI.text(
                    "platform-cli.demo-ca.client",
                    ["certificate": .text(pki.clientCertificateFile), "key": .text(pki.clientKeyFile)]))
        }
    }
}

/// `sundhedscloud source-secret`: a new notification secret for a source, and the line for its registry entry.
struct SourceSecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source-secret",
        abstract: CLI.text("platform-cli.abstract.source-secret"))

    @OptionGroup var languageOption: LanguageOption

    func run() async throws {
        let secret = NotifyCredentials.makeSecret()
        print(CLI.text("platform-cli.secret.intro"))
        print("  \(secret)")
        print(CLI.text("platform-cli.secret.registry"))
        print("  notify_secret_sha256 = \"\(NotifyCredentials.hash(of: secret))\"")
    }
}
