// PostgresURL: a postgres:// address taken apart, its password never shown.

import Foundation

/// A `postgres://` URL taken apart; the password is never shown.
struct PostgresURL {
    enum TLSMode { case disable, prefer, require }

    let host: String
    let port: Int
    let user: String
    let password: String?
    let database: String
    let tls: TLSMode

    init(_ text: String) throws {
        guard let components = URLComponents(string: text),
            components.scheme == "postgres" || components.scheme == "postgresql"
        else {
            throw PlatformStorageError(
                "Lageret '\(Self.redact(text))' er ikke en PostgreSQL-adresse; skriv postgres://BRUGER:KODE@VÆRT:PORT/DATABASE")
        }
        guard let host = components.host, !host.isEmpty else {
            throw PlatformStorageError("PostgreSQL-adressen '\(Self.redact(text))' mangler en vært")
        }
        guard let user = components.user, !user.isEmpty else {
            throw PlatformStorageError("PostgreSQL-adressen '\(Self.redact(text))' mangler en bruger (postgres://BRUGER@...)")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else {
            throw PlatformStorageError("PostgreSQL-adressen '\(Self.redact(text))' mangler en database (.../DATABASE)")
        }
        if let port = components.port, !(1...65_535).contains(port) {
            throw PlatformStorageError("PostgreSQL-adressen '\(Self.redact(text))' har en ugyldig port")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database
        switch components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable" {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer
        case "require", "verify-ca", "verify-full": tls = .require
        case let other:
            throw PlatformStorageError("Ukendt sslmode '\(other)' (disable, prefer eller require)")
        }
    }

    /// The address without its password.
    var redacted: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    static func redact(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "(ulæselig adresse)" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "(ulæselig adresse)"
    }
}
