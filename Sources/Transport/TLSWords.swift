import Foundation
import NIOSSL
import Words
import X509

/// TLS problems in words: what a client's status line says when a server's certificate is not accepted, and how
/// certificates are named in start-up errors.
public enum TLSWords {
    /// A short reason for a failed TLS connection (`tls.*` in the catalogs), or nil if `error` is not about TLS.
    /// Without a diagnosis (`TLSDiagnosis`) a failed verification says only that the certificate was not accepted.
    public static func reason(for error: any Error) -> Phrase? {
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return Phrase("tls.other-name")
        }
        guard let ssl = error as? NIOSSLError else {
            let text = String(describing: error)
            if text.contains("CERTIFICATE_VERIFY_FAILED") { return Phrase("tls.not-accepted") }
            return nil
        }
        let text = String(describing: ssl)
        if text.contains("CERTIFICATE_VERIFY_FAILED") { return Phrase("tls.not-accepted") }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("PACKET_LENGTH_TOO_LONG") {
            return Phrase("tls.not-tls")
        }
        if text.contains("CERTIFICATE_REQUIRED") || text.contains("ALERT_BAD_CERTIFICATE")
            || text.contains("ALERT_UNKNOWN_CA") || text.contains("HANDSHAKE_FAILURE_ON_CLIENT_HELLO")
        {
            return Phrase("tls.client-refused")
        }
        switch ssl {
        case .handshakeFailed: return Phrase("tls.handshake")
        case .uncleanShutdown: return Phrase("tls.unclean-shutdown")
        default: return Phrase("tls.other", ["error": .text(String(text.prefix(120)))])
        }
    }

    /// What is wrong with a server's certificate chain for `host`, checked against `roots` (nil: the chain is only
    /// checked for time and name): "certifikatet er udløbet 01.03.2025", "certifikatet gælder et andet navn
    /// (localhost), ikke 127.0.0.1", "certifikatet er ikke udstedt af en betroet CA (selvsigneret)".
    public static func problem(
        with chain: [Certificate], host: String, roots: [Certificate]?, now: Date = Date()
    ) -> Phrase? {
        guard let leaf = chain.first else { return Phrase("tls.no-certificate") }
        for certificate in chain {
            if certificate.notValidAfter < now { return Phrase("tls.expired", ["date": .text(date(certificate.notValidAfter))]) }
            if certificate.notValidBefore > now {
                return Phrase("tls.not-yet-valid", ["date": .text(date(certificate.notValidBefore))])
            }
        }
        if !covers(leaf, host: host) {
            let names = names(of: leaf)
            return names.isEmpty
                ? Phrase("tls.for-no-name", ["host": .text(host)])
                : Phrase("tls.for-other-name", ["names": .text(names.joined(separator: ", ")), "host": .text(host)])
        }
        if let roots {
            let top = chain.last ?? leaf
            let trusted = roots.contains { root in
                root == top || (root.subject == top.issuer && root.publicKey.isValidSignature(top.signature, for: top))
            }
            if !trusted {
                return top.issuer == top.subject
                    ? Phrase("tls.self-signed")
                    : Phrase("tls.untrusted-issuer", ["issuer": .text(String(describing: top.issuer))])
            }
        }
        return nil
    }

    /// The DNS names and IP addresses of a certificate's subject alternative names.
    static func names(of certificate: Certificate) -> [String] {
        guard let san = try? certificate.extensions.subjectAlternativeNames else { return [] }
        return san.compactMap { name -> String? in
            switch name {
            case .dnsName(let dns): return dns
            case .ipAddress(let octets):
                let bytes = Array(octets.bytes)
                if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
                return bytes.map { String($0, radix: 16) }.joined(separator: ":")
            default: return nil
            }
        }
    }

    /// Whether the certificate is for `host` (a name, with a leading `*.` wildcard allowed, or an IPv4 address).
    static func covers(_ certificate: Certificate, host: String) -> Bool {
        let wanted = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        for name in names(of: certificate).map({ $0.lowercased() }) {
            if name == wanted { return true }
            if name.hasPrefix("*."), let dot = wanted.firstIndex(of: "."), wanted[dot...] == name.dropFirst() { return true }
        }
        return false
    }

    /// `01.03.2025` (UTC: a certificate's times are UTC).
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "dd.MM.yyyy"
        return formatter.string(from: date)
    }
}
