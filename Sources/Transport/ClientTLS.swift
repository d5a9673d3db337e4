import Foundation
import NIOSSL
import Words
import X509

/// What a client trusts and shows: the CA bundle to verify servers against (`--ca FILE`, `ca = "..."` per source;
/// without one, the system's store), and for mutual TLS its own certificate and key. Certificates are always
/// verified, names included; there is no switch to turn that off.
public struct ClientTLS: Sendable {
    /// The CA bundles' files; empty for the system store.
    public let caFiles: [String]
    public let configuration: TLSConfiguration
    /// The certificates of `caFile`, for diagnosing a failed handshake.
    let roots: [Certificate]

    /// The system's trust store, no client certificate.
    public static let system = ClientTLS(caFiles: [], configuration: base(), roots: [])

    static func base() -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        return configuration
    }

    /// Loads and checks the files (see `ServerTLS.load` for what is checked).
    public static func load(
        ca: String?, certificate: String? = nil, key: String? = nil, now: Date = Date()
    ) throws(TLSSetupError) -> ClientTLS {
        try load(cas: ca.map { [$0] } ?? [], certificate: certificate, key: key, now: now)
    }

    /// Trusts the CAs of all these bundles (none: the system store).
    public static func load(
        cas: [String], certificate: String? = nil, key: String? = nil, now: Date = Date()
    ) throws(TLSSetupError) -> ClientTLS {
        var configuration = base()
        var roots: [Certificate] = []
        var nio: [NIOSSLCertificate] = []
        for ca in Set(cas).sorted() {
            let loaded = try PEMFile.certificates(ca, now: now)
            roots += loaded.map(\.0)
            nio += loaded.map(\.1)
        }
        if !nio.isEmpty { configuration.trustRoots = .certificates(nio) }
        switch (certificate, key) {
        case (let certificate?, let key?):
            let chain = try PEMFile.certificates(certificate, now: now)
            let privateKey = try PEMFile.privateKey(key, for: chain.first?.0)
            configuration.certificateChain = chain.map { .certificate($0.1) }
            configuration.privateKey = .privateKey(privateKey)
        case (let certificate?, nil):
            throw TLSSetupError(file: certificate, Phrase("tls-setup.certificate-without-key"))
        case (nil, let key?):
            throw TLSSetupError(file: key, Phrase("tls-setup.key-without-certificate"))
        case (nil, nil):
            break
        }
        return ClientTLS(caFiles: Set(cas).sorted(), configuration: configuration, roots: roots)
    }
}
