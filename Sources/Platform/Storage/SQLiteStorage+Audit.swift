// SQLiteStorage: the audit chain, appended in the write transaction and read back.

import Foundation
import GRDB

extension SQLiteStorage {
    public func appendAudit(_ entry: AuditEntry) async throws -> AuditEntry {
        try await pool.write { db in
            let head = try Row.fetchOne(db, sql: "SELECT sequence, hash FROM audit ORDER BY sequence DESC LIMIT 1")
            var sealed = entry
            sealed.seal(
                sequence: (head?["sequence"] as Int64? ?? 0) + 1, previousHash: head?["hash"] ?? AuditEntry.genesis)
            try db.cachedStatement(
                sql: """
                    INSERT INTO audit (sequence, recorded, userID, userName, role, organization, organizationName,
                      patientCPR, sourceID, resourceTypes, action, purpose, outcome, reason, emergency, client,
                      previousHash, hash, appID, appName) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                    """
            ).execute(arguments: [
                sealed.sequence, sealed.recorded.timeIntervalSince1970, sealed.userID, sealed.userName, sealed.role,
                sealed.organization, sealed.organizationName, sealed.patientCPR, sealed.sourceID,
                sealed.resourceTypes.joined(separator: ","), sealed.action, sealed.purpose, sealed.outcome, sealed.reason,
                sealed.emergency, sealed.client, sealed.previousHash, sealed.hash, sealed.appID, sealed.appName,
            ])
            return sealed
        }
    }

    public func auditEntries(patient: String?, emergencyOnly: Bool, after: Int64, limit: Int) async throws -> [AuditEntry] {
        try await pool.read { db in
            var conditions = ["sequence > ?"]
            var arguments: [(any DatabaseValueConvertible)?] = [after]
            if let patient {
                conditions.append("patientCPR = ?")
                arguments.append(patient)
            }
            if emergencyOnly { conditions.append("emergency = 1") }
            arguments.append(limit)
            return try Row.fetchAll(
                db, sql: "SELECT * FROM audit WHERE \(conditions.joined(separator: " AND ")) ORDER BY sequence LIMIT ?",
                arguments: StatementArguments(arguments)
            ).map(Self.audit)
        }
    }

    public func auditHead() async throws -> (sequence: Int64, hash: String) {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT sequence, hash FROM audit ORDER BY sequence DESC LIMIT 1")
            else { return (0, AuditEntry.genesis) }
            return (row["sequence"], row["hash"])
        }
    }

    private static func audit(_ row: Row) -> AuditEntry {
        let types: String = row["resourceTypes"]
        var entry = AuditEntry(
            recorded: Date(timeIntervalSince1970: row["recorded"]),
            identity: Identity(id: row["userID"], name: row["userName"], role: .doctor), patientCPR: row["patientCPR"],
            sourceID: row["sourceID"], resourceTypes: types.isEmpty ? [] : types.split(separator: ",").map(String.init),
            action: row["action"], purpose: row["purpose"], outcome: row["outcome"], reason: row["reason"],
            emergency: row["emergency"], client: row["client"])
        entry.role = row["role"]
        entry.organization = row["organization"]
        entry.organizationName = row["organizationName"]
        entry.sequence = row["sequence"]
        entry.previousHash = row["previousHash"]
        entry.hash = row["hash"]
        entry.appID = row["appID"]
        entry.appName = row["appName"]
        return entry
    }
}
