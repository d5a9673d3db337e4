// PostgresURL: a postgres:// address taken apart, its password never shown.

import Foundation
import Words

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
            throw PlatformStorageError(Phrase("storage.not-postgres", ["location": Self.shown(text)]))
        }
        guard let host = components.host, !host.isEmpty else {
            throw PlatformStorageError(Phrase("storage.no-host", ["location": Self.shown(text)]))
        }
        guard let user = components.user, !user.isEmpty else {
            throw PlatformStorageError(Phrase("storage.no-user", ["location": Self.shown(text)]))
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else {
            throw PlatformStorageError(Phrase("storage.no-database", ["location": Self.shown(text)]))
        }
        if let port = components.port, !(1...65_535).contains(port) {
            throw PlatformStorageError(Phrase("storage.bad-port", ["location": Self.shown(text)]))
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
            throw PlatformStorageError(Phrase("storage.unknown-sslmode", ["mode": .text(other)]))
        }
    }

    /// The address without its password.
    var redacted: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// An address as given, without its password; nil when it cannot be read at all.
    static func withoutPassword(_ text: String) -> String? {
        guard var components = URLComponents(string: text) else { return nil }
        if components.password != nil { components.password = "***" }
        return components.string
    }

    /// The address without its password, as a parameter (`{location}`).
    static func shown(_ text: String) -> Phrase.Argument {
        withoutPassword(text).map { .text($0) } ?? .phrase(Phrase("storage.unreadable-address"))
    }

    /// The address without its password, as text ("(ulæselig adresse)" when it cannot be read).
    static func redact(_ text: String) -> String {
        withoutPassword(text) ?? Catalog.danish.text(Phrase("storage.unreadable-address"))
    }
}
