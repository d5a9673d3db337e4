import Foundation
import NIOSSL
import SwiftASN1
import Words
import X509

/// Reads certificates and keys from PEM files for TLS, and checks them before they are used: readable, PEM, in
/// their validity period, and (for a key) matching its certificate. Every problem names the file.
enum PEMFile {
    static func text(_ path: String) throws(TLSSetupError) -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw TLSSetupError(file: path, Phrase("tls-setup.missing")) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TLSSetupError(file: path, Phrase("tls-setup.unreadable"))
        }
        guard let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN ") else {
            throw TLSSetupError(file: path, Phrase("tls-setup.not-pem"))
        }
        return text
    }

    /// The certificates of a PEM file, in order (a chain: the leaf first), checked for their validity period.
    static func certificates(_ path: String, now: Date = Date()) throws(TLSSetupError) -> [(Certificate, NIOSSLCertificate)] {
        let text = try text(path)
        let documents: [PEMDocument]
        do {
            documents = try PEMDocument.parseMultiple(pemString: text).filter { $0.discriminator == "CERTIFICATE" }
        } catch {
            throw TLSSetupError(file: path, Phrase("tls-setup.pem-unreadable", ["error": .text("\(error)")]))
        }
        guard !documents.isEmpty else { throw TLSSetupError(file: path, Phrase("tls-setup.no-certificate")) }
        var out: [(Certificate, NIOSSLCertificate)] = []
        for document in documents {
            do {
                let certificate = try Certificate(pemDocument: document)
                let nio = try NIOSSLCertificate(bytes: document.derBytes, format: .der)
                out.append((certificate, nio))
            } catch {
                throw TLSSetupError(file: path, Phrase("tls-setup.certificate-unreadable", ["error": .text("\(error)")]))
            }
        }
        for (certificate, _) in out {
            if certificate.notValidAfter < now {
                throw TLSSetupError(
                    file: path,
                    Phrase(
                        "tls-setup.expired",
                        [
                            "subject": .text("\(certificate.subject)"),
                            "date": .text(TLSWords.date(certificate.notValidAfter)),
                        ]))
            }
            if certificate.notValidBefore > now {
                throw TLSSetupError(
                    file: path,
                    Phrase(
                        "tls-setup.not-yet-valid",
                        [
                            "subject": .text("\(certificate.subject)"),
                            "date": .text(TLSWords.date(certificate.notValidBefore)),
                        ]))
            }
        }
        return out
    }

    /// The private key of a PEM file, checked against the certificate it belongs to.
    static func privateKey(_ path: String, for certificate: Certificate?) throws(TLSSetupError) -> NIOSSLPrivateKey {
        let text = try text(path)
        let key: Certificate.PrivateKey
        do {
            key = try Certificate.PrivateKey(pemEncoded: text)
        } catch {
            throw TLSSetupError(file: path, Phrase("tls-setup.no-private-key", ["error": .text("\(error)")]))
        }
        if let certificate, key.publicKey != certificate.publicKey {
            throw TLSSetupError(
                file: path, Phrase("tls-setup.key-mismatch", ["subject": .text("\(certificate.subject)")]))
        }
        do {
            return try NIOSSLPrivateKey(bytes: Array(text.utf8), format: .pem)
        } catch {
            throw TLSSetupError(file: path, Phrase("tls-setup.key-unusable", ["error": .text("\(error)")]))
        }
    }
}
