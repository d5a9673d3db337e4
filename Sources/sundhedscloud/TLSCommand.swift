import ArgumentParser
import Foundation
import Platform
import Transport

/// `sundhedscloud tls demo-ca DIR`: a throwaway CA and certificates for 127.0.0.1/localhost (demo and tests only),
/// as `serve --demo` makes for itself; `make cluster` uses it to give two nodes the same CA.
struct TLSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls", abstract: "TLS-hjælp til demo og test.", subcommands: [DemoCA.self])

    struct DemoCA: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "demo-ca",
            abstract: "Lav et engangs-CA med server- og klientcertifikat for 127.0.0.1 og localhost (kun demo/test).")

        @Argument(help: "Mappen filerne skrives i (ca.pem, server.pem, server-key.pem, gateway.pem, gateway-key.pem).")
        var directory: String

        @Option(help: "Antal dage certifikaterne gælder.")
        var days: Int = 7

        func run() async throws {
            guard (1...3650).contains(days) else { throw ValidationError("--days skal være mellem 1 og 3650") }
            let pki = try DemoPKI.make(in: URL(fileURLWithPath: directory), days: days)
            print("CA:           \(pki.caFile)")
            print("server:       \(pki.serverCertificateFile)  nøgle: \(pki.serverKeyFile)")
            print("klient:       \(pki.clientCertificateFile)  nøgle: \(pki.clientKeyFile)")
        }
    }
}

/// `sundhedscloud source-secret`: a new notification secret for a source, and the line for its registry entry.
struct SourceSecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source-secret",
        abstract: "Lav en meldenøgle til en kilde: kilden sender den (Authorization: Bearer ...), registret gemmer dens SHA-256.")

    func run() async throws {
        let secret = NotifyCredentials.makeSecret()
        print("Kildens meldenøgle (gives kun til kilden; sendes som 'Authorization: Bearer <nøgle>' til /notify/{kilde}):")
        print("  \(secret)")
        print("Linjen til kildens [[source]] i kilderegistret:")
        print("  notify_secret_sha256 = \"\(NotifyCredentials.hash(of: secret))\"")
    }
}
