// PostgresStorage: the schema, its versioned migrations, and applying them once across nodes.

import Foundation
import PostgresNIO
import Words

extension PostgresStorage {
    /// Versioned migrations, applied in order, each once (table `schema_migration`).
    static let migrations: [(id: String, statements: [String])] = [
        (
            "v1",
            [
                """
                CREATE TABLE subscription (id text PRIMARY KEY, topic text NOT NULL, filters text NOT NULL,
                  channel text NOT NULL, endpoint text, headers text NOT NULL, payload text NOT NULL, heartbeat bigint,
                  status text NOT NULL, error text, owner text, created float8 NOT NULL,
                  event_count bigint NOT NULL DEFAULT 0, delivered_through bigint NOT NULL DEFAULT 0)
                """,
                """
                CREATE TABLE event (id bigserial PRIMARY KEY, source_key text NOT NULL UNIQUE, source_id text NOT NULL,
                  topic text NOT NULL, code text NOT NULL, focus text NOT NULL, patient_cpr text, organization text,
                  organization_name text, municipality text, occurred float8 NOT NULL, accepted float8 NOT NULL)
                """,
                "CREATE INDEX event_focus ON event (focus)",
                """
                CREATE TABLE subscription_event (
                  subscription_id text NOT NULL REFERENCES subscription (id) ON DELETE CASCADE,
                  number bigint NOT NULL, event_id bigint NOT NULL REFERENCES event (id),
                  PRIMARY KEY (subscription_id, number))
                """,
                "CREATE INDEX subscription_event_event ON subscription_event (event_id)",
                "CREATE TABLE binding_token (token text PRIMARY KEY, subscription_id text NOT NULL, expires float8 NOT NULL)",
                "CREATE TABLE counter (name text PRIMARY KEY, value bigint NOT NULL)",
                "INSERT INTO counter (name, value) VALUES ('subscriptions', 1)",
            ]
        ),
        (
            "v2-audit",
            [
                """
                CREATE TABLE audit (sequence bigint PRIMARY KEY, recorded float8 NOT NULL, user_id text NOT NULL,
                  user_name text NOT NULL, role text NOT NULL, organization text, organization_name text,
                  patient_cpr text, source_id text, resource_types text NOT NULL, action text NOT NULL,
                  purpose text NOT NULL, outcome text NOT NULL, reason text, emergency boolean NOT NULL, client text,
                  previous_hash text NOT NULL, hash text NOT NULL)
                """,
                "CREATE INDEX audit_patient ON audit (patient_cpr, sequence)",
                """
                CREATE TABLE audit_head (id integer PRIMARY KEY CHECK (id = 1), sequence bigint NOT NULL,
                  hash text NOT NULL)
                """,
                "INSERT INTO audit_head (id, sequence, hash) VALUES (1, 0, '\(AuditEntry.genesis)')",
                """
                CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'audit log is append-only'; END $$
                """,
                """
                CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
                  FOR EACH ROW EXECUTE FUNCTION audit_append_only()
                """,
                """
                CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
                  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()
                """,
            ]
        ),
        (
            // One statement per append (so locks are held for the statement only). Numbers come from the numbered
            // rows themselves, under a transaction advisory lock per subscription: counting up a column on each
            // subscription row rewrote every matched row per event and bloated the table under load (an earlier
            // "v3-append-function" did that; this replaces it where it was applied).
            "v4-append-without-updates",
            [
                """
                CREATE OR REPLACE FUNCTION append_event(expected_version bigint, p_source_key text, p_source_id text,
                  p_topic text, p_code text, p_focus text, p_patient_cpr text, p_organization text,
                  p_organization_name text, p_municipality text, p_occurred float8, p_accepted float8,
                  p_subscriptions text[], p_node text)
                RETURNS TABLE (out_event bigint, out_subscription text, out_number bigint)
                LANGUAGE plpgsql AS $$
                DECLARE
                  current_version bigint;
                  new_id bigint;
                BEGIN
                  SELECT c.value INTO current_version FROM counter c WHERE c.name = 'subscriptions' FOR SHARE;
                  IF current_version IS DISTINCT FROM expected_version THEN
                    RAISE EXCEPTION 'subscriptions changed' USING ERRCODE = 'SC001';
                  END IF;
                  INSERT INTO event (source_key, source_id, topic, code, focus, patient_cpr, organization,
                    organization_name, municipality, occurred, accepted)
                  VALUES (p_source_key, p_source_id, p_topic, p_code, p_focus, p_patient_cpr, p_organization,
                    p_organization_name, p_municipality, p_occurred, p_accepted)
                  ON CONFLICT (source_key) DO NOTHING RETURNING event.id INTO new_id;
                  IF new_id IS NULL THEN
                    RETURN;
                  END IF;
                  -- One lock per subscription, taken in one order by every node: they wait, never deadlock.
                  PERFORM pg_advisory_xact_lock(\(numberingLockClass), hashtext(s.id))
                  FROM subscription s WHERE s.status <> 'off' AND s.id = ANY(p_subscriptions)
                  ORDER BY hashtext(s.id), s.id;
                  PERFORM pg_notify('\(channel)', p_node || ' e ' || new_id);
                  -- A new statement, so a new snapshot: the numbers of whoever held the locks before are seen.
                  RETURN QUERY
                    WITH numbered AS (
                      INSERT INTO subscription_event (subscription_id, number, event_id)
                      SELECT s.id, coalesce(
                          (SELECT max(se.number) FROM subscription_event se WHERE se.subscription_id = s.id), 0) + 1,
                        new_id
                      FROM subscription s WHERE s.status <> 'off' AND s.id = ANY(p_subscriptions)
                      RETURNING subscription_event.subscription_id AS sid, subscription_event.number AS n)
                    SELECT new_id, numbered.sid, numbered.n FROM numbered
                    UNION ALL SELECT new_id, NULL::text, NULL::bigint;
                END $$
                """
            ]
        ),
        (
            // What the subscriber may open (JSON of Identity without the name); checked at every delivery.
            "v5-subscription-audience",
            ["ALTER TABLE subscription ADD COLUMN IF NOT EXISTS audience text"]
        ),
        (
            // The app cloud: registrations and installations (as JSON records), client assertions already used
            // (shared by every node, so a replay to another node is still one), and the app of an access.
            "v6-apps",
            [
                "CREATE TABLE IF NOT EXISTS app (client_id text PRIMARY KEY, record text NOT NULL)",
                """
                CREATE TABLE IF NOT EXISTS app_installation (client_id text NOT NULL, organization_system text NOT NULL,
                  organization_value text NOT NULL, record text NOT NULL,
                  PRIMARY KEY (client_id, organization_system, organization_value))
                """,
                """
                CREATE TABLE IF NOT EXISTS used_assertion (client_id text NOT NULL, jti text NOT NULL,
                  expires float8 NOT NULL, PRIMARY KEY (client_id, jti))
                """,
                "ALTER TABLE audit ADD COLUMN IF NOT EXISTS app_id text",
                "ALTER TABLE audit ADD COLUMN IF NOT EXISTS app_name text",
                "INSERT INTO counter (name, value) VALUES ('apps', 1) ON CONFLICT (name) DO NOTHING",
            ]
        ),
    ]

    /// The first key of the per-subscription numbering locks.
    static let numberingLockClass: Int32 = 740_203

    /// Connects once directly (so a wrong address, user or password is named), applies what is missing, and
    /// starts listening for the other nodes.
    public func migrate() async throws {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: self.connection, id: 0, logger: Self.quiet)
        } catch {
            throw PlatformStorageError(
                Phrase(
                    "storage.postgres-unreachable",
                    ["location": .text(location), "error": .phrase(Self.describe(error))]))
        }
        do {
            try await connection.withTransaction(logger: Self.quiet) { db in
                try await db.query("SELECT pg_advisory_xact_lock(\(Self.migrationLockKey))", logger: Self.quiet)
                try await db.query(
                    "CREATE TABLE IF NOT EXISTS schema_migration (id text PRIMARY KEY, applied float8 NOT NULL)",
                    logger: Self.quiet)
                var applied: Set<String> = []
                for try await id in try await db.query("SELECT id FROM schema_migration", logger: Self.quiet).decode(
                    String.self)
                {
                    applied.insert(id)
                }
                for migration in Self.migrations where !applied.contains(migration.id) {
                    for statement in migration.statements {
                        try await db.query(PostgresQuery(unsafeSQL: statement), logger: Self.quiet)
                    }
                    try await db.query(
                        "INSERT INTO schema_migration (id, applied) VALUES (\(migration.id), \(Date().timeIntervalSince1970))",
                        logger: Self.quiet)
                }
            }
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw PlatformStorageError(
                Phrase(
                    "storage.postgres-unmigratable",
                    ["location": .text(location), "error": .phrase(Self.describe(error))]))
        }
    }
}
