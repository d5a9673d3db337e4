import Foundation
import NIOSSL
import SwiftASN1
import X509

/// Reads certificates and keys from PEM files for TLS, and checks them before they are used: readable, PEM, in
/// their validity period, and (for a key) matching its certificate. Every problem names the file.
enum PEMFile {
    static func text(_ path: String) throws(TLSSetupError) -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw TLSSetupError(file: path, "filen findes ikke") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TLSSetupError(file: path, "filen kan ikke læses (rettigheder?)")
        }
        guard let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN ") else {
            throw TLSSetupError(file: path, "er ikke en PEM-fil (-----BEGIN ... mangler)")
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
            throw TLSSetupError(file: path, "PEM-indholdet kan ikke læses (\(error))")
        }
        guard !documents.isEmpty else { throw TLSSetupError(file: path, "indeholder intet certifikat") }
        var out: [(Certificate, NIOSSLCertificate)] = []
        for document in documents {
            do {
                let certificate = try Certificate(pemDocument: document)
                let nio = try NIOSSLCertificate(bytes: document.derBytes, format: .der)
                out.append((certificate, nio))
            } catch {
                throw TLSSetupError(file: path, "et certifikat kan ikke læses (\(error))")
            }
        }
        for (certificate, _) in out {
            if certificate.notValidAfter < now {
                throw TLSSetupError(
                    file: path, "certifikatet \(certificate.subject) er udløbet \(TLSWords.date(certificate.notValidAfter))")
            }
            if certificate.notValidBefore > now {
                throw TLSSetupError(
                    file: path,
                    "certifikatet \(certificate.subject) er først gyldigt fra \(TLSWords.date(certificate.notValidBefore))")
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
            throw TLSSetupError(file: path, "indeholder ingen privat nøgle der kan læses (\(error))")
        }
        if let certificate, key.publicKey != certificate.publicKey {
            throw TLSSetupError(file: path, "nøglen passer ikke til certifikatet \(certificate.subject)")
        }
        do {
            return try NIOSSLPrivateKey(bytes: Array(text.utf8), format: .pem)
        } catch {
            throw TLSSetupError(file: path, "nøglen kan ikke bruges til TLS (\(error))")
        }
    }
}
