import Federation
import Foundation
import TOMLKit
import Words

/// `sundhedscloud serve --config FILE` (default `$XDG_CONFIG_HOME/sundhedscloud/sundhedscloud.toml` when it exists):
/// the node's settings in TOML, for operators who keep them in a file rather than on the command line. A flag given
/// on the command line wins; then the environment; then the file.
///
/// ```toml
/// storage = "postgres://platform:KODE@db:5432/sundhedscloud"
/// sources = "/etc/sundhedscloud/kilder.toml"
/// port = 8081
/// token_secret = "..."          # or jwks = "/etc/sundhedscloud/jwks.json" with issuer and audience
/// tls_cert = "/etc/sundhedscloud/node.pem"      # the node's certificate chain and key (TLS)
/// tls_key = "/etc/sundhedscloud/node-key.pem"
/// tls_client_ca = "..."         # ask clients for a certificate of this CA (mutual TLS)
/// ca = "/etc/sundhedscloud/region-ca.pem"        # CA bundle for the sources' and rest-hooks' certificates
/// client_cert = "..."           # the gateway's client certificate and key, for sources that ask (mutual TLS)
/// client_key = "..."
/// insecure_http = false         # plain HTTP instead of TLS: said in the log and in /health
/// audit_key = "/var/lib/sundhedscloud/audit-signing-key.pem"   # the node's Ed25519 key for audit checkpoints
/// audit_checkpoints = "/var/log/sundhedscloud/audit-checkpoints.jsonl"   # where they are appended
/// ```
struct PlatformConfiguration: Equatable {
    var storage: String?
    var sources: String?
    var users: String?
    var port: Int?
    var host: String?
    var tokenSecret: String?
    var jwks: String?
    var issuer: String?
    var audience: String?
    var tlsCert: String?
    var tlsKey: String?
    var tlsClientCA: String?
    var ca: String?
    var clientCert: String?
    var clientKey: String?
    var insecureHTTP: Bool?
    var auditKey: String?
    var auditCheckpoints: String?

    static let keys = [
        "storage", "sources", "users", "port", "host", "token_secret", "jwks", "issuer", "audience", "tls_cert", "tls_key",
        "tls_client_ca", "ca", "client_cert", "client_key", "insecure_http", "audit_key", "audit_checkpoints",
    ]

    static var defaultPath: String { XDGDirectory.config.path("sundhedscloud.toml", app: "sundhedscloud") }

    /// The file at `path`; nil if no path was given and the default file does not exist.
    static func load(path: String?) throws -> PlatformConfiguration {
        let file = path ?? defaultPath
        guard path != nil || FileManager.default.fileExists(atPath: file) else { return PlatformConfiguration() }
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigurationError(
                "platform-cli.config.unreadable", ["file": .text(file), "error": .text(error.localizedDescription)])
        }
        return try parse(text, file: file)
    }

    static func parse(_ text: String, file: String) throws -> PlatformConfiguration {
        let table: TOMLTable
        do throws(TOMLDocument.Problem) {
            table = try TOMLDocument.parse(text)
        } catch {
            throw ConfigurationError(
                "platform-cli.error.in-file",
                ["file": .text(file + (error.line.map { ":\($0)" } ?? "")), "error": .text(error.message)])
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        func line(_ key: String) -> String {
            let index = lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix(key) }
            return index.map { ":\($0 + 1)" } ?? ""
        }
        for key in table.keys where !keys.contains(key) {
            throw ConfigurationError(
                "platform-cli.config.unknown-key",
                ["place": .text(file + line(key)), "key": .text(key), "known": .text(keys.joined(separator: ", "))])
        }
        func string(_ key: String) throws -> String? {
            guard let value = table[key] else { return nil }
            guard let text = value.string, !text.isEmpty else {
                throw ConfigurationError(
                    "platform-cli.config.string", ["place": .text(file + line(key)), "key": .text(key)])
            }
            return text
        }
        var configuration = PlatformConfiguration()
        configuration.storage = try string("storage")
        configuration.sources = try string("sources")
        configuration.users = try string("users")
        configuration.host = try string("host")
        configuration.tokenSecret = try string("token_secret")
        configuration.jwks = try string("jwks")
        configuration.issuer = try string("issuer")
        configuration.audience = try string("audience")
        configuration.tlsCert = try string("tls_cert")
        configuration.tlsKey = try string("tls_key")
        configuration.tlsClientCA = try string("tls_client_ca")
        configuration.ca = try string("ca")
        configuration.clientCert = try string("client_cert")
        configuration.clientKey = try string("client_key")
        configuration.auditKey = try string("audit_key")
        configuration.auditCheckpoints = try string("audit_checkpoints")
        if let value = table["insecure_http"] {
            guard let flag = value.bool else {
                throw ConfigurationError(
                    "platform-cli.config.bool", ["place": .text(file + line("insecure_http")), "key": .text("insecure_http")])
            }
            configuration.insecureHTTP = flag
        }
        if let value = table["port"] {
            guard let port = value.int, (0...65_535).contains(port) else {
                throw ConfigurationError("platform-cli.config.port", ["place": .text(file + line("port"))])
            }
            configuration.port = port
        }
        return configuration
    }
}

/// A configuration file that cannot be used, with the line it is on.
struct ConfigurationError: Error, CustomStringConvertible, Phrased {
    let phrase: Phrase
    init(_ id: String, _ arguments: [String: Phrase.Argument]) { phrase = Phrase(id, arguments) }
    var description: String { CLI.catalog.text(phrase) }
}
