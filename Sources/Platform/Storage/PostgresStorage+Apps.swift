// PostgresStorage: the app cloud's registrations, installations and used client assertions.

import Foundation
import PostgresNIO
import Words

extension PostgresStorage {
    public func saveApp(_ app: AppRegistration) async throws {
        let record = String(decoding: try SQLiteStorage.recordEncoder.encode(app), as: UTF8.self)
        _ = try await transaction(Phrase("storage.app-unsaved")) { db in
            try await db.query(
                """
                INSERT INTO app (client_id, record) VALUES (\(app.clientID), \(record))
                ON CONFLICT (client_id) DO UPDATE SET record = excluded.record
                """, logger: Self.quiet)
            try await db.query("UPDATE counter SET value = value + 1 WHERE name = 'apps'", logger: Self.quiet)
        }
    }

    public func apps() async throws -> [AppRegistration] {
        let records = try await within {
            var all: [String] = []
            for try await record in try await self.client.query(
                "SELECT record FROM app ORDER BY client_id", logger: Self.quiet
            ).decode(String.self) {
                all.append(record)
            }
            return all
        }
        return try records.map { try SQLiteStorage.recordDecoder.decode(AppRegistration.self, from: Data($0.utf8)) }
    }

    public func saveInstallation(_ installation: AppInstallation) async throws {
        let record = String(decoding: try SQLiteStorage.recordEncoder.encode(installation), as: UTF8.self)
        let (system, value) = (installation.organization.system, installation.organization.value)
        _ = try await transaction(Phrase("storage.app-unsaved")) { db in
            try await db.query(
                """
                INSERT INTO app_installation (client_id, organization_system, organization_value, record)
                VALUES (\(installation.clientID), \(system), \(value), \(record))
                ON CONFLICT (client_id, organization_system, organization_value) DO UPDATE SET record = excluded.record
                """, logger: Self.quiet)
            try await db.query("UPDATE counter SET value = value + 1 WHERE name = 'apps'", logger: Self.quiet)
        }
    }

    public func removeInstallation(clientID: String, organization: Identity.Organization) async throws -> Bool {
        let (system, value) = (organization.system, organization.value)
        return try await transaction(Phrase("storage.app-unsaved")) { db in
            var removed = false
            for try await _ in try await db.query(
                """
                DELETE FROM app_installation WHERE client_id = \(clientID) AND organization_system = \(system)
                  AND organization_value = \(value) RETURNING client_id
                """, logger: Self.quiet
            ).decode(String.self) {
                removed = true
            }
            try await db.query("UPDATE counter SET value = value + 1 WHERE name = 'apps'", logger: Self.quiet)
            return removed
        }
    }

    public func installations() async throws -> [AppInstallation] {
        let records = try await within {
            var all: [String] = []
            for try await record in try await self.client.query(
                "SELECT record FROM app_installation ORDER BY client_id, organization_value", logger: Self.quiet
            ).decode(String.self) {
                all.append(record)
            }
            return all
        }
        return try records.map { try SQLiteStorage.recordDecoder.decode(AppInstallation.self, from: Data($0.utf8)) }
    }

    public func appsVersion() async throws -> Int64 {
        try await within {
            for try await value in try await self.client.query(
                "SELECT value FROM counter WHERE name = 'apps'", logger: Self.quiet
            ).decode(Int64.self) {
                return value
            }
            return 0
        }
    }

    public func claimAssertion(clientID: String, jti: String, expires: Date) async throws -> Bool {
        let now = Date().timeIntervalSince1970
        let until = expires.timeIntervalSince1970
        return try await transaction(Phrase("storage.app-unsaved")) { db in
            try await db.query("DELETE FROM used_assertion WHERE expires < \(now - 60)", logger: Self.quiet)
            var claimed = false
            for try await _ in try await db.query(
                """
                INSERT INTO used_assertion (client_id, jti, expires) VALUES (\(clientID), \(jti), \(until))
                ON CONFLICT DO NOTHING RETURNING client_id
                """, logger: Self.quiet
            ).decode(String.self) {
                claimed = true
            }
            return claimed
        }
    }
}
