// SQLiteStorage: the schema and its versioned migrations (GRDB's migrator).

import GRDB
import Words

extension SQLiteStorage {
    public func migrate() async throws {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "subscription") { t in
                t.primaryKey("id", .text)
                t.column("topic", .text).notNull()
                t.column("filters", .text).notNull()
                t.column("channel", .text).notNull()
                t.column("endpoint", .text)
                t.column("headers", .text).notNull()
                t.column("payload", .text).notNull()
                t.column("heartbeat", .integer)
                t.column("status", .text).notNull()
                t.column("error", .text)
                t.column("owner", .text)
                t.column("created", .double).notNull()
                t.column("eventCount", .integer).notNull().defaults(to: 0)
                t.column("deliveredThrough", .integer).notNull().defaults(to: 0)
            }
            try db.create(table: "event") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("sourceKey", .text).notNull().unique()
                t.column("sourceID", .text).notNull()
                t.column("topic", .text).notNull()
                t.column("code", .text).notNull()
                t.column("focus", .text).notNull()
                t.column("patientCPR", .text)
                t.column("organization", .text)
                t.column("organizationName", .text)
                t.column("municipality", .text)
                t.column("occurred", .double).notNull()
                t.column("accepted", .double).notNull()
            }
            try db.create(index: "event_focus", on: "event", columns: ["focus"])
            try db.create(table: "subscriptionEvent") { t in
                t.column("subscriptionID", .text).notNull().references("subscription", onDelete: .cascade)
                t.column("number", .integer).notNull()
                t.column("eventID", .integer).notNull().references("event")
                t.primaryKey(["subscriptionID", "number"])
            }
            try db.create(table: "bindingToken") { t in
                t.primaryKey("token", .text)
                t.column("subscriptionID", .text).notNull()
                t.column("expires", .double).notNull()
            }
        }
        migrator.registerMigration("v2-audit") { db in
            try db.create(table: "audit") { t in
                t.primaryKey("sequence", .integer)
                t.column("recorded", .double).notNull()
                t.column("userID", .text).notNull()
                t.column("userName", .text).notNull()
                t.column("role", .text).notNull()
                t.column("organization", .text)
                t.column("organizationName", .text)
                t.column("patientCPR", .text)
                t.column("sourceID", .text)
                t.column("resourceTypes", .text).notNull()
                t.column("action", .text).notNull()
                t.column("purpose", .text).notNull()
                t.column("outcome", .text).notNull()
                t.column("reason", .text)
                t.column("emergency", .boolean).notNull()
                t.column("client", .text)
                t.column("previousHash", .text).notNull()
                t.column("hash", .text).notNull()
            }
            try db.create(index: "audit_patient", on: "audit", columns: ["patientCPR", "sequence"])
            // Append-only: the database itself refuses changes and deletions.
            try db.execute(
                sql: """
                    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                      BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
                    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
                      BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
                    """)
        }
        migrator.registerMigration("v3-subscription-version") { db in
            // Bumped by every change to the subscriptions, checked by every append (see PlatformStorage).
            try db.create(table: "counter") { t in
                t.primaryKey("name", .text)
                t.column("value", .integer).notNull()
            }
            try db.execute(sql: "INSERT INTO counter (name, value) VALUES ('subscriptions', 1)")
            try db.create(index: "subscriptionEvent_event", on: "subscriptionEvent", columns: ["eventID"])
        }
        migrator.registerMigration("v4-subscription-audience") { db in
            // What the subscriber may open (JSON of Identity without the name); checked at every delivery.
            try db.alter(table: "subscription") { t in t.add(column: "audience", .text) }
        }
        migrator.registerMigration("v5-apps") { db in
            // The app cloud: registrations and installations (as JSON records), client assertions already used,
            // and the app an access went through in the audit log.
            try db.create(table: "app") { t in
                t.primaryKey("clientID", .text)
                t.column("record", .text).notNull()
            }
            try db.create(table: "appInstallation") { t in
                t.column("clientID", .text).notNull()
                t.column("organizationSystem", .text).notNull()
                t.column("organizationValue", .text).notNull()
                t.column("record", .text).notNull()
                t.primaryKey(["clientID", "organizationSystem", "organizationValue"])
            }
            try db.create(table: "usedAssertion") { t in
                t.column("clientID", .text).notNull()
                t.column("jti", .text).notNull()
                t.column("expires", .double).notNull()
                t.primaryKey(["clientID", "jti"])
            }
            try db.alter(table: "audit") { t in
                t.add(column: "appID", .text)
                t.add(column: "appName", .text)
            }
            try db.execute(sql: "INSERT INTO counter (name, value) VALUES ('apps', 1)")
        }
        do {
            try migrator.migrate(pool)
        } catch {
            throw PlatformStorageError(
                Phrase("storage.sqlite-unmigratable", ["file": .text(path), "error": .text("\(error)")]))
        }
    }
}
