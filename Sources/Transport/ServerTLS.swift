import Foundation
import NIOSSL
import Words
import X509

/// A server's TLS: its certificate chain and key (`--tls-cert FILE --tls-key FILE`), and, for mutual TLS, the CA
/// whose client certificates it accepts (`--tls-client-ca FILE`; a client without one is refused in the handshake).
public struct ServerTLS: Sendable {
    public let certificateFile: String
    public let configuration: TLSConfiguration
    /// The names and addresses the certificate is for (its subject alternative names).
    public let names: [String]
    /// True when clients must show a certificate of `clientCA`.
    public let requiresClientCertificate: Bool

    /// Loads and checks the files: readable PEM, in their validity period, the key matching the certificate, and the
    /// certificate valid for `host` when one is given (an address or name clients will use).
    public static func load(
        certificate: String, key: String, clientCA: String? = nil, host: String? = nil, now: Date = Date()
    ) throws(TLSSetupError) -> ServerTLS {
        let chain = try PEMFile.certificates(certificate, now: now)
        let privateKey = try PEMFile.privateKey(key, for: chain.first?.0)
        let names = chain.first.map { TLSWords.names(of: $0.0) } ?? []
        if let host, !host.isEmpty, host != "0.0.0.0", host != "::", let leaf = chain.first?.0,
            !TLSWords.covers(leaf, host: host)
        {
            let covered: Phrase.Argument =
                names.isEmpty ? .phrase(Phrase("tls-setup.no-name")) : .text(names.joined(separator: ", "))
            throw TLSSetupError(
                file: certificate, Phrase("tls-setup.wrong-host", ["host": .text(host), "names": covered]))
        }
        var configuration: TLSConfiguration
        if let clientCA {
            let roots = try PEMFile.certificates(clientCA, now: now).map(\.1)
            configuration = TLSConfiguration.makeServerConfigurationWithMTLS(
                certificateChain: chain.map { .certificate($0.1) }, privateKey: .privateKey(privateKey),
                trustRoots: .certificates(roots))
        } else {
            configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0.1) }, privateKey: .privateKey(privateKey))
        }
        configuration.minimumTLSVersion = .tlsv12
        // Closing a connection waits this long for the peer's close_notify. A client's idle keep-alive connection (a
        // gateway's pool, a TUI) never sends one while it idles, and NIOSSL's 5 s default then held every stop (Ctrl-C
        // of `serve --demo` took 10 s after gateway traffic: 5 s for each source the gateway had talked to).
        configuration.shutdownTimeout = .milliseconds(300)
        return ServerTLS(
            certificateFile: certificate, configuration: configuration, names: names,
            requiresClientCertificate: clientCA != nil)
    }
}
