// SQLiteStorage: the app cloud's registrations, installations and used client assertions.

import Foundation
import GRDB

extension SQLiteStorage {
    static let recordEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()
    static let recordDecoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()

    public func saveApp(_ app: AppRegistration) async throws {
        let record = String(decoding: try Self.recordEncoder.encode(app), as: UTF8.self)
        try await pool.write { db in
            try db.execute(
                sql:
                    "INSERT INTO app (clientID, record) VALUES (?, ?) ON CONFLICT(clientID) DO UPDATE SET record = excluded.record",
                arguments: [app.clientID, record])
            try Self.bumpApps(db)
        }
    }

    public func apps() async throws -> [AppRegistration] {
        let records = try await pool.read { db in try String.fetchAll(db, sql: "SELECT record FROM app ORDER BY clientID") }
        return try records.map { try Self.recordDecoder.decode(AppRegistration.self, from: Data($0.utf8)) }
    }

    public func saveInstallation(_ installation: AppInstallation) async throws {
        let record = String(decoding: try Self.recordEncoder.encode(installation), as: UTF8.self)
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT INTO appInstallation (clientID, organizationSystem, organizationValue, record) VALUES (?, ?, ?, ?)
                    ON CONFLICT(clientID, organizationSystem, organizationValue) DO UPDATE SET record = excluded.record
                    """,
                arguments: [
                    installation.clientID, installation.organization.system, installation.organization.value, record,
                ])
            try Self.bumpApps(db)
        }
    }

    public func removeInstallation(clientID: String, organization: Identity.Organization) async throws -> Bool {
        try await pool.write { db in
            try db.execute(
                sql: "DELETE FROM appInstallation WHERE clientID = ? AND organizationSystem = ? AND organizationValue = ?",
                arguments: [clientID, organization.system, organization.value])
            let removed = db.changesCount > 0
            try Self.bumpApps(db)
            return removed
        }
    }

    public func installations() async throws -> [AppInstallation] {
        let records = try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT record FROM appInstallation ORDER BY clientID, organizationValue")
        }
        return try records.map { try Self.recordDecoder.decode(AppInstallation.self, from: Data($0.utf8)) }
    }

    static func bumpApps(_ db: Database) throws {
        try db.execute(sql: "UPDATE counter SET value = value + 1 WHERE name = 'apps'")
    }

    /// Read on the caller's thread (one indexed row, microseconds): every app request asks, and an async read's
    /// hop to GRDB's reader and back cost ten times the read.
    public func appsVersion() async throws -> Int64 { try appsVersionNow() }

    private func appsVersionNow() throws -> Int64 {
        try pool.read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM counter WHERE name = 'apps'")) ?? 0
        }
    }

    public func claimAssertion(clientID: String, jti: String, expires: Date) async throws -> Bool {
        let now = Date().timeIntervalSince1970
        return try await pool.write { db in
            try db.execute(sql: "DELETE FROM usedAssertion WHERE expires < ?", arguments: [now - 60])
            try db.execute(
                sql: "INSERT INTO usedAssertion (clientID, jti, expires) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                arguments: [clientID, jti, expires.timeIntervalSince1970])
            return db.changesCount > 0
        }
    }
}
