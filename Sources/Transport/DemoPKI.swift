import Crypto
import Foundation
import SwiftASN1
import Words
import X509

/// A throwaway certificate authority for the demo and the tests, made at start (nothing to set up, nothing kept):
/// a CA, a server certificate for `127.0.0.1` and `localhost` that every demo server uses, and a client certificate
/// for the gateway (mutual TLS towards sources that ask for it). Written as PEM files into `directory`, so that
/// `curl --cacert DIR/ca.pem` and `--ca` work against the demo; the keys are readable by the owner only.
public struct DemoPKI: Sendable {
    public let directory: URL
    public var caFile: String { directory.appendingPathComponent("ca.pem").path }
    public var serverCertificateFile: String { directory.appendingPathComponent("server.pem").path }
    public var serverKeyFile: String { directory.appendingPathComponent("server-key.pem").path }
    public var clientCertificateFile: String { directory.appendingPathComponent("gateway.pem").path }
    public var clientKeyFile: String { directory.appendingPathComponent("gateway-key.pem").path }

    /// Makes the CA and certificates (ECDSA P-256, valid from an hour ago for `days`) and writes them.
    /// - Parameter serverNames: what the server certificate is for (DNS names, or IPv4 addresses).
    public static func make(
        in directory: URL, days: Int = 7, now: Date = Date(), serverNames: [String] = ["localhost", "127.0.0.1"]
    ) throws -> DemoPKI {
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let start = now.addingTimeInterval(-3600)
        let end = now.addingTimeInterval(Double(days) * 86_400)
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName {
            OrganizationName("SundhedsCloud demo")
            CommonName("SundhedsCloud demo-CA (kun til demo og test)")
        }
        let ca = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey), notValidBefore: start,
            notValidAfter: end, issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: Certificate.PublicKey(caKey.publicKey))
            }, issuerPrivateKey: .init(caKey))
        func leaf(
            _ name: String, usage: ExtendedKeyUsage.Usage, names: [GeneralName]
        ) throws -> (Certificate, P256.Signing.PrivateKey) {
            let key = P256.Signing.PrivateKey()
            let certificate = try Certificate(
                version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: start,
                notValidAfter: end, issuer: caName,
                subject: try DistinguishedName {
                    OrganizationName("SundhedsCloud demo")
                    CommonName(name)
                }, signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([usage])
                    if !names.isEmpty { SubjectAlternativeNames(names) }
                    AuthorityKeyIdentifier(keyIdentifier: try ca.extensions.subjectKeyIdentifier?.keyIdentifier)
                }, issuerPrivateKey: .init(caKey))
            return (certificate, key)
        }
        let server = try leaf(
            serverNames.first ?? "localhost", usage: .serverAuth,
            names: serverNames.map { name in
                let octets = name.split(separator: ".").compactMap { UInt8($0) }
                return octets.count == 4 && name.split(separator: ".").count == 4
                    ? .ipAddress(ASN1OctetString(contentBytes: ArraySlice(octets))) : .dnsName(name)
            })
        let client = try leaf("sundhedscloud-gateway", usage: .clientAuth, names: [])
        let pki = DemoPKI(directory: directory)
        try write(try ca.serializeAsPEM().pemString, to: pki.caFile)
        try write(try server.0.serializeAsPEM().pemString, to: pki.serverCertificateFile)
        try write(server.1.pemRepresentation, to: pki.serverKeyFile, secret: true)
        try write(try client.0.serializeAsPEM().pemString, to: pki.clientCertificateFile)
        try write(client.1.pemRepresentation, to: pki.clientKeyFile, secret: true)
        return pki
    }

    static func write(_ text: String, to path: String, secret: Bool = false) throws {
        let created = FileManager.default.createFile(
            atPath: path, contents: Data((text + "\n").utf8), attributes: [.posixPermissions: secret ? 0o600 : 0o644])
        if !created { throw TLSSetupError(file: path, Phrase("tls-setup.unwritable")) }
    }

    /// The servers' TLS (no client certificates asked for).
    public func serverTLS(now: Date = Date()) throws(TLSSetupError) -> ServerTLS {
        try ServerTLS.load(certificate: serverCertificateFile, key: serverKeyFile, now: now)
    }

    /// A source's TLS that asks for the gateway's client certificate (mutual TLS).
    public func mutualServerTLS() throws(TLSSetupError) -> ServerTLS {
        try ServerTLS.load(certificate: serverCertificateFile, key: serverKeyFile, clientCA: caFile)
    }

    /// A client that trusts this CA only.
    public func clientTLS() throws(TLSSetupError) -> ClientTLS {
        try ClientTLS.load(ca: caFile)
    }

    /// The gateway's side: trusts this CA and shows its client certificate.
    public func gatewayTLS() throws(TLSSetupError) -> ClientTLS {
        try ClientTLS.load(ca: caFile, certificate: clientCertificateFile, key: clientKeyFile)
    }
}
