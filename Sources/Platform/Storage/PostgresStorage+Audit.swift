// PostgresStorage: the audit chain, appended under its head row's lock and read back.

import Foundation
import PostgresNIO
import Words

extension PostgresStorage {
    public func appendAudit(_ entry: AuditEntry) async throws -> AuditEntry {
        try await transaction(Phrase("storage.audit-unwritable")) { db in
            var head: (Int64, String) = (0, AuditEntry.genesis)
            for try await row in try await db.query(
                "SELECT sequence, hash FROM audit_head WHERE id = 1 FOR UPDATE", logger: Self.quiet
            ).decode((Int64, String).self) {
                head = row
            }
            var sealed = entry
            sealed.seal(sequence: head.0 + 1, previousHash: head.1)
            try await db.query(
                """
                INSERT INTO audit (sequence, recorded, user_id, user_name, role, organization, organization_name,
                  patient_cpr, source_id, resource_types, action, purpose, outcome, reason, emergency, client,
                  previous_hash, hash, app_id, app_name)
                VALUES (\(sealed.sequence), \(sealed.recorded.timeIntervalSince1970), \(sealed.userID),
                  \(sealed.userName), \(sealed.role), \(sealed.organization), \(sealed.organizationName),
                  \(sealed.patientCPR), \(sealed.sourceID), \(sealed.resourceTypes.joined(separator: ",")),
                  \(sealed.action), \(sealed.purpose), \(sealed.outcome), \(sealed.reason), \(sealed.emergency),
                  \(sealed.client), \(sealed.previousHash), \(sealed.hash), \(sealed.appID), \(sealed.appName))
                """, logger: Self.quiet)
            try await db.query(
                "UPDATE audit_head SET sequence = \(sealed.sequence), hash = \(sealed.hash) WHERE id = 1",
                logger: Self.quiet)
            return sealed
        }
    }

    public func auditEntries(patient: String?, emergencyOnly: Bool, after: Int64, limit: Int) async throws -> [AuditEntry] {
        try await within {
            let rows = try await self.client.query(
                """
                SELECT * FROM audit WHERE sequence > \(after)
                  AND (\(patient)::text IS NULL OR patient_cpr = \(patient))
                  AND (NOT \(emergencyOnly) OR emergency)
                ORDER BY sequence LIMIT \(Int64(limit))
                """, logger: Self.quiet
            ).collect()
            return try rows.map(Self.audit)
        }
    }

    public func auditHead() async throws -> (sequence: Int64, hash: String) {
        try await within {
            let rows = try await self.client.query(
                "SELECT sequence, hash FROM audit ORDER BY sequence DESC LIMIT 1", logger: Self.quiet
            ).collect()
            guard let row = rows.first else { return (0, AuditEntry.genesis) }
            let (sequence, hash) = try row.decode((Int64, String).self)
            return (sequence, hash)
        }
    }

    private static func audit(_ row: PostgresRow) throws -> AuditEntry {
        let r = row.makeRandomAccess()
        let types = try r["resource_types"].decode(String.self)
        var entry = AuditEntry(
            recorded: Date(timeIntervalSince1970: try r["recorded"].decode(Double.self)),
            identity: Identity(
                id: try r["user_id"].decode(String.self), name: try r["user_name"].decode(String.self), role: .doctor),
            patientCPR: try r["patient_cpr"].decode(String?.self), sourceID: try r["source_id"].decode(String?.self),
            resourceTypes: types.isEmpty ? [] : types.split(separator: ",").map(String.init),
            action: try r["action"].decode(String.self), purpose: try r["purpose"].decode(String.self),
            outcome: try r["outcome"].decode(String.self), reason: try r["reason"].decode(String?.self),
            emergency: try r["emergency"].decode(Bool.self), client: try r["client"].decode(String?.self))
        entry.userName = try r["user_name"].decode(String.self)
        entry.role = try r["role"].decode(String.self)
        entry.organization = try r["organization"].decode(String?.self)
        entry.organizationName = try r["organization_name"].decode(String?.self)
        entry.sequence = try r["sequence"].decode(Int64.self)
        entry.previousHash = try r["previous_hash"].decode(String.self)
        entry.hash = try r["hash"].decode(String.self)
        entry.appID = try r["app_id"].decode(String?.self)
        entry.appName = try r["app_name"].decode(String?.self)
        return entry
    }
}
