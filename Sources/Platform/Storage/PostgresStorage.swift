import FHIR
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The platform on a PostgreSQL database that several nodes share (postgres-nio's `PostgresClient` pool).
///
/// - Numbers: each append locks the matched subscription rows (in id order, so two nodes never deadlock) and counts
///   up inside the transaction; gap-free and unique across nodes.
/// - Subscriptions: every change bumps the `subscriptions` counter first; an append reads it `FOR SHARE` and
///   refuses if the caller matched against an older list (`StorageConflict`).
/// - Fan-out: an append sends `NOTIFY` inside its transaction (delivered on commit); every node LISTENs on a
///   dedicated connection and hears what the others stored. The table stays the truth: after a lost connection the
///   node is told to `resync`, and live subscribers read from their last number.
/// - Audit: one chain-head row, locked `FOR UPDATE` in the append's transaction, serializes the chain across nodes.
/// - Rest-hook delivery: the node holding a session advisory lock on its LISTEN connection delivers; if that node
///   dies its connection closes, the lock goes, and another node takes over from `delivered_through`.
/// - PostgreSQL unreachable: every call fails within `timeout` with a message saying so (callers answer 503);
///   the pool reconnects by itself when the database is back.
public final class PostgresStorage: PlatformStorage {
    public let location: String
    public var isShared: Bool { true }
    /// Identifies this node in notifications, so it does not hear its own.
    public let nodeID: String
    private let connection: PostgresConnection.Configuration
    private let client: PostgresClient
    private let logger: Logger
    private let timeout: Duration
    private let running = Mutex<[Task<Void, Never>]>([])
    private let listeners = Mutex<[UUID: AsyncStream<StorageChange>.Continuation]>([:])
    private let listening = Mutex(false)

    static let channel = "sundhedscloud"
    /// Session advisory lock key held by the node that delivers rest-hook notifications.
    static let restHookLockKey: Int64 = 7_402_031_001
    /// Transaction advisory lock key taken while migrating, so two nodes starting at once migrate once.
    static let migrationLockKey: Int64 = 7_402_031_002

    /// - Parameter url: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]`.
    public init(
        url: String, nodeID: String = UUID().uuidString, timeout: Duration = .seconds(5),
        logger: Logger = Logger(label: "sundhedscloud.storage")
    ) throws {
        let parsed = try PostgresURL(url)
        self.location = parsed.redacted
        self.nodeID = nodeID
        self.logger = logger
        self.timeout = timeout
        var connection = PostgresConnection.Configuration(
            host: parsed.host, port: parsed.port, username: parsed.user, password: parsed.password,
            database: parsed.database, tls: .disable)
        var pool = PostgresClient.Configuration(
            host: parsed.host, port: parsed.port, username: parsed.user, password: parsed.password,
            database: parsed.database, tls: .disable)
        switch parsed.tls {
        case .disable: break
        case .prefer:
            connection.tls = .prefer(try .init(configuration: .makeClientConfiguration()))
            pool.tls = .prefer(.makeClientConfiguration())
        case .require:
            connection.tls = .require(try .init(configuration: .makeClientConfiguration()))
            pool.tls = .require(.makeClientConfiguration())
        }
        connection.options.connectTimeout = .init(timeout)
        pool.options.connectTimeout = timeout
        pool.options.maximumConnections = 16
        self.connection = connection
        self.client = PostgresClient(configuration: pool, backgroundLogger: Self.quiet)
        let client = self.client
        running.withLock { $0.append(Task { await client.run() }) }
    }

    static let quiet = Logger(label: "sundhedscloud.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Stops listening and closes the pool.
    public func shutdown() async {
        let tasks = running.withLock { tasks in
            defer { tasks = [] }
            return tasks
        }
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        let all = listeners.withLock { all in
            defer { all = [:] }
            return Array(all.values)
        }
        for continuation in all { continuation.finish() }
    }

    // MARK: Schema

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
    ]

    /// The first key of the per-subscription numbering locks.
    static let numberingLockClass: Int32 = 740_203

    /// A subscription row with its count of numbered events (counted, not kept: see migration v4).
    static let subscriptionColumns = """
        s.*, (SELECT coalesce(max(se.number), 0) FROM subscription_event se WHERE se.subscription_id = s.id) AS counted
        """

    /// Connects once directly (so a wrong address, user or password is named), applies what is missing, and
    /// starts listening for the other nodes.
    public func migrate() async throws {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: self.connection, id: 0, logger: Self.quiet)
        } catch {
            throw PlatformStorageError("PostgreSQL på \(location) kan ikke nås: \(Self.describe(error))")
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
            throw PlatformStorageError("PostgreSQL på \(location) kan ikke opgraderes: \(Self.describe(error))")
        }
    }

    public func check() async throws {
        try await within("svarer ikke") {
            try await self.client.query("SELECT 1", logger: Self.quiet).collect()
        }
    }

    // MARK: Subscriptions

    private static func bumpSubscriptionsVersion(_ db: PostgresConnection) async throws {
        try await db.query("UPDATE counter SET value = value + 1 WHERE name = 'subscriptions'", logger: quiet)
        try await db.query("SELECT pg_notify(\(channel), \("s"))", logger: quiet)
    }

    public func insertSubscription(_ record: SubscriptionRecord) async throws {
        let filters = try Self.encode(record.filters)
        let headers = try Self.encode(record.headers)
        let audience = try record.audience.map(Self.encode)
        try await transaction("Abonnementet kunne ikke gemmes") { db in
            try await Self.bumpSubscriptionsVersion(db)
            try await db.query(
                """
                INSERT INTO subscription (id, topic, filters, channel, endpoint, headers, payload, heartbeat, status,
                  error, owner, audience, created, event_count, delivered_through)
                VALUES (\(record.id), \(record.topic), \(filters), \(record.channel.rawValue), \(record.endpoint),
                  \(headers), \(record.payload.rawValue), \(record.heartbeatSeconds.map(Int64.init)),
                  \(record.status.rawValue), \(record.error), \(record.owner), \(audience),
                  \(record.created.timeIntervalSince1970),
                  \(record.eventCount), \(record.deliveredThrough))
                """, logger: Self.quiet)
        }
    }

    public func subscription(id: String) async throws -> SubscriptionRecord? {
        try await within("svarer ikke") {
            let rows = try await self.client.query(
                "SELECT \(unescaped: Self.subscriptionColumns) FROM subscription s WHERE s.id = \(id)", logger: Self.quiet
            ).collect()
            return try rows.first.map(Self.subscription)
        }
    }

    public func subscriptionSnapshot() async throws -> SubscriptionSnapshot {
        try await transaction("Abonnementerne kan ikke læses") { db in
            var version: Int64 = 0
            for try await value in try await db.query(
                "SELECT value FROM counter WHERE name = 'subscriptions'", logger: Self.quiet
            ).decode(Int64.self) {
                version = value
            }
            let rows = try await db.query(
                "SELECT \(unescaped: Self.subscriptionColumns) FROM subscription s WHERE s.status <> 'off' ORDER BY s.created",
                logger: Self.quiet
            ).collect()
            return SubscriptionSnapshot(version: version, records: try rows.map(Self.subscription))
        }
    }

    public func updateStatus(subscriptionID: String, status: SubscriptionRecord.Status, error: String?) async throws {
        try await transaction("Abonnementet kan ikke ændres") { db in
            // The counter first: an append holds it FOR SHARE before it locks subscription rows.
            try await Self.bumpSubscriptionsVersion(db)
            try await db.query(
                "UPDATE subscription SET status = \(status.rawValue), error = \(error) WHERE id = \(subscriptionID)",
                logger: Self.quiet)
        }
    }

    // MARK: Events

    /// One statement, so one round trip and the shortest possible hold on the locks: the server-side
    /// `append_event` (migration v4) checks the list's version, stores the event once, numbers it in the matched
    /// subscriptions (rows locked in id order: two nodes wait for each other, never deadlock) and sends the NOTIFY,
    /// all in the statement's own transaction.
    public func append(
        _ event: EventRecord, for subscriptionIDs: [String], subscriptionsVersion: Int64,
        committed: @escaping @Sendable (AppendResult) -> Void
    ) async throws -> AppendResult? {
        let node = nodeID
        var attempt = 0
        while true {
            attempt += 1
            do {
                let result = try await within("svarer ikke (Hændelsen kunne ikke gemmes)") { () -> AppendResult? in
                    var inserted: Int64?
                    var numbers: [String: Int64] = [:]
                    for try await (id, subscription, number) in try await self.client.query(
                        """
                        SELECT out_event, out_subscription, out_number FROM append_event(
                          \(subscriptionsVersion), \(event.sourceKey), \(event.sourceID), \(event.topic),
                          \(event.code.rawValue), \(event.focus), \(event.patientCPR), \(event.organization),
                          \(event.organizationName), \(event.municipality), \(event.occurred.timeIntervalSince1970),
                          \(event.accepted.timeIntervalSince1970), \(subscriptionIDs), \(node))
                        """, logger: Self.quiet
                    ).decode((Int64, String?, Int64?).self) {
                        inserted = id
                        if let subscription, let number { numbers[subscription] = number }
                    }
                    guard let inserted else { return nil }
                    var stored = event
                    stored.id = inserted
                    return AppendResult(event: stored, numbers: numbers)
                }
                if let result { committed(result) }
                return result
            } catch let error as PlatformStorageError where attempt < 4 && Self.isRetryable(error) {
                continue
            }
        }
    }

    /// One query for a whole batch (a node following another reads what it was told of since it last looked).
    public func appended(eventIDs: [Int64]) async throws -> [AppendResult] {
        guard !eventIDs.isEmpty else { return [] }
        return try await within("svarer ikke") {
            let rows = try await self.client.query(
                """
                SELECT e.*, se.subscription_id AS numbered_in, se.number AS numbered_as
                FROM event e LEFT JOIN subscription_event se ON se.event_id = e.id
                WHERE e.id = ANY(\(eventIDs)) ORDER BY e.id
                """, logger: Self.quiet
            ).collect()
            var results: [AppendResult] = []
            var current: (event: EventRecord, numbers: [String: Int64])?
            for row in rows {
                let event = try Self.event(row)
                if current?.event.id != event.id {
                    if let done = current { results.append(AppendResult(event: done.event, numbers: done.numbers)) }
                    current = (event, [:])
                }
                let r = row.makeRandomAccess()
                if let subscription = try r["numbered_in"].decode(String?.self),
                    let number = try r["numbered_as"].decode(Int64?.self)
                {
                    current?.numbers[subscription] = number
                }
            }
            if let done = current { results.append(AppendResult(event: done.event, numbers: done.numbers)) }
            return results
        }
    }

    public func events(subscriptionID: String, after: Int64, through: Int64?, limit: Int) async throws -> [NumberedEvent] {
        try await within("svarer ikke") {
            let rows = try await self.client.query(
                """
                SELECT se.number AS number, e.* FROM subscription_event se JOIN event e ON e.id = se.event_id
                WHERE se.subscription_id = \(subscriptionID) AND se.number > \(after)
                  AND se.number <= \(through ?? Int64.max)
                ORDER BY se.number LIMIT \(Int64(limit))
                """, logger: Self.quiet
            ).collect()
            return try rows.map { row in
                NumberedEvent(number: try row.makeRandomAccess()["number"].decode(Int64.self), event: try Self.event(row))
            }
        }
    }

    public func codes(forFocus focus: String) async throws -> [EventCode] {
        try await within("svarer ikke") {
            var codes: [EventCode] = []
            for try await code in try await self.client.query(
                "SELECT code FROM event WHERE focus = \(focus) ORDER BY id", logger: Self.quiet
            ).decode(String.self) {
                codes.append(EventCode(rawValue: code))
            }
            return codes
        }
    }

    public func setDelivered(subscriptionID: String, through number: Int64) async throws {
        try await within("svarer ikke") {
            try await self.client.query(
                """
                UPDATE subscription SET delivered_through = greatest(delivered_through, \(number))
                WHERE id = \(subscriptionID)
                """, logger: Self.quiet)
        }
    }

    public func saveBindingToken(_ token: BindingToken) async throws {
        try await transaction("Token kan ikke gemmes") { db in
            try await db.query(
                "DELETE FROM binding_token WHERE expires < \(Date().timeIntervalSince1970)", logger: Self.quiet)
            try await db.query(
                """
                INSERT INTO binding_token (token, subscription_id, expires)
                VALUES (\(token.token), \(token.subscriptionID), \(token.expires.timeIntervalSince1970))
                """, logger: Self.quiet)
        }
    }

    public func bindingToken(_ token: String) async throws -> BindingToken? {
        try await within("svarer ikke") {
            for try await (value, subscription, expires) in try await self.client.query(
                "SELECT token, subscription_id, expires FROM binding_token WHERE token = \(token)", logger: Self.quiet
            ).decode((String, String, Double).self) {
                return BindingToken(
                    token: value, subscriptionID: subscription, expires: Date(timeIntervalSince1970: expires))
            }
            return nil
        }
    }

    // MARK: Audit

    public func appendAudit(_ entry: AuditEntry) async throws -> AuditEntry {
        try await transaction("Adgangsloggen kan ikke skrives") { db in
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
                  previous_hash, hash)
                VALUES (\(sealed.sequence), \(sealed.recorded.timeIntervalSince1970), \(sealed.userID),
                  \(sealed.userName), \(sealed.role), \(sealed.organization), \(sealed.organizationName),
                  \(sealed.patientCPR), \(sealed.sourceID), \(sealed.resourceTypes.joined(separator: ",")),
                  \(sealed.action), \(sealed.purpose), \(sealed.outcome), \(sealed.reason), \(sealed.emergency),
                  \(sealed.client), \(sealed.previousHash), \(sealed.hash))
                """, logger: Self.quiet)
            try await db.query(
                "UPDATE audit_head SET sequence = \(sealed.sequence), hash = \(sealed.hash) WHERE id = 1",
                logger: Self.quiet)
            return sealed
        }
    }

    public func auditEntries(patient: String?, emergencyOnly: Bool, after: Int64, limit: Int) async throws -> [AuditEntry] {
        try await within("svarer ikke") {
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
        try await within("svarer ikke") {
            let rows = try await self.client.query(
                "SELECT sequence, hash FROM audit ORDER BY sequence DESC LIMIT 1", logger: Self.quiet
            ).collect()
            guard let row = rows.first else { return (0, AuditEntry.genesis) }
            let (sequence, hash) = try row.decode((Int64, String).self)
            return (sequence, hash)
        }
    }

    // MARK: Other nodes

    /// The first call starts listening (one dedicated connection per storage).
    public func changes() -> AsyncStream<StorageChange> {
        let (stream, continuation) = AsyncStream.makeStream(of: StorageChange.self)
        let id = UUID()
        let first = listeners.withLock { listeners in
            defer { listeners[id] = continuation }
            return listeners.isEmpty && !listening.withLock { $0 }
        }
        if first { startListening() }
        continuation.onTermination = { [weak self] _ in self?.listeners.withLock { $0[id] = nil } }
        return stream
    }

    private func emit(_ change: StorageChange) {
        for continuation in listeners.withLock({ Array($0.values) }) { continuation.yield(change) }
    }

    private func startListening() {
        guard
            listening.withLock({ started in
                defer { started = true }
                return !started
            })
        else { return }
        running.withLock { tasks in
            tasks.append(Task { await self.listenLoop() })
        }
    }

    /// One dedicated connection: LISTEN for the other nodes, and try for the rest-hook delivery lock. Lost: say so,
    /// back off, reconnect, and tell the engine to resync.
    private func listenLoop() async {
        var delay = Duration.milliseconds(100)
        var lostSince: ContinuousClock.Instant?
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: self.connection, id: 1, logger: Self.quiet)
                if let lost = lostSince {
                    logger.warning(
                        "PostgreSQL (\(location)) svarer igen efter \(ContinuousClock.now - lost); læser det forsømte")
                    lostSince = nil
                }
                delay = .milliseconds(100)
                emit(.resync)
                defer { Task { try? await connection.close() } }
                try await connection.listen(on: Self.channel) { notifications in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await self.holdRestHookLock(connection) }
                        for try await notification in notifications {
                            self.heard(notification.payload)
                        }
                        group.cancelAll()
                    }
                }
            } catch {
                if Task.isCancelled { break }
                emit(.restHookDelivery(false))
                if lostSince == nil {
                    lostSince = .now
                    logger.error(
                        "PostgreSQL (\(location)) kan ikke nås: \(Self.describe(error)); adgange der skal logges afvises, prøver igen"
                    )
                }
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(2))
        }
        emit(.restHookDelivery(false))
    }

    /// Tries for the session lock every second until it has it; then keeps it for the connection's life.
    private func holdRestHookLock(_ connection: PostgresConnection) async throws {
        while !Task.isCancelled {
            var held = false
            for try await value in try await connection.query(
                "SELECT pg_try_advisory_lock(\(Self.restHookLockKey))", logger: Self.quiet
            ).decode(Bool.self) {
                held = value
            }
            if held {
                emit(.restHookDelivery(true))
                return
            }
            try await Task.sleep(for: .seconds(1))
        }
    }

    private func heard(_ payload: String) {
        let parts = payload.split(separator: " ")
        if parts == ["s"] {
            emit(.subscriptionsChanged)
        } else if parts.count == 3, parts[1] == "e", let id = Int64(parts[2]) {
            if parts[0] != nodeID { emit(.event(id)) }
        }
    }

    // MARK: Plumbing

    /// Runs `body` within the storage timeout; a database that does not answer in time is an error that says so.
    @discardableResult
    private func within<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let limit = timeout
        let location = self.location
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let value = first else {
                    throw PlatformStorageError("PostgreSQL (\(location)) \(what) inden for \(DanishDuration.seconds(limit))")
                }
                return value
            }
        } catch {
            switch Self.unwrap(error) {
            case let conflict as StorageConflict: throw conflict
            case let psql as PSQLError where psql.serverInfo?[.sqlState] == "SC001":
                throw StorageConflict.subscriptionsChanged
            case let storage as PlatformStorageError: throw storage
            case let other: throw PlatformStorageError("PostgreSQL (\(location)): \(Self.describe(other))")
            }
        }
    }

    /// A transaction on a pooled connection, within the timeout; a deadlock or serialization failure is retried.
    private func transaction<T: Sendable>(
        _ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await within("svarer ikke (\(what))") {
                    try await self.client.withTransaction(logger: Self.quiet) { db in try await body(db) }
                }
            } catch let error as PlatformStorageError where attempt < 4 && Self.isRetryable(error) {
                continue
            }
        }
    }

    /// A deadlock (40P01) or serialization failure (40001): the transaction can simply run again.
    static func isRetryable(_ error: PlatformStorageError) -> Bool {
        error.description.contains("(40P01)") || error.description.contains("(40001)")
    }

    /// The error a transaction's body threw, out of postgres-nio's wrapper.
    static func unwrap(_ error: any Error) -> any Error {
        if let transaction = error as? PostgresTransactionError,
            let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError
        {
            return unwrap(inner)
        }
        return error
    }

    /// A PostgreSQL error in words: the server's message and SQLSTATE when there is one.
    static func describe(_ error: any Error) -> String {
        let error = unwrap(error)
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] {
                let state = psql.serverInfo?[.sqlState].map { " (\($0))" } ?? ""
                return message + state
            }
            if let underlying = psql.underlying {
                let text = "\(underlying)"
                if text.contains("Connection refused") {
                    return "forbindelsen blev afvist (kører PostgreSQL, og er port og vært rigtige?)"
                }
                if text.contains("timed out") || text.contains("Timeout") { return "ingen svar (tidsgrænse)" }
                return "\(psql.code): \(text)"
            }
            return "\(psql.code)"
        }
        return "\(error)"
    }

    private static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    private static func subscription(_ row: PostgresRow) throws -> SubscriptionRecord {
        let r = row.makeRandomAccess()
        return SubscriptionRecord.stored(
            id: try r["id"].decode(String.self), topic: try r["topic"].decode(String.self),
            filtersJSON: try r["filters"].decode(String.self), channel: try r["channel"].decode(String.self),
            endpoint: try r["endpoint"].decode(String?.self), headersJSON: try r["headers"].decode(String.self),
            payload: try r["payload"].decode(String.self),
            heartbeatSeconds: try r["heartbeat"].decode(Int64?.self).map(Int.init),
            status: try r["status"].decode(String.self), error: try r["error"].decode(String?.self),
            owner: try r["owner"].decode(String?.self), audienceJSON: try r["audience"].decode(String?.self),
            created: Date(timeIntervalSince1970: try r["created"].decode(Double.self)),
            eventCount: try r["counted"].decode(Int64.self), deliveredThrough: try r["delivered_through"].decode(Int64.self))
    }

    private static func event(_ row: PostgresRow) throws -> EventRecord {
        let r = row.makeRandomAccess()
        return EventRecord(
            id: try r["id"].decode(Int64.self), sourceKey: try r["source_key"].decode(String.self),
            sourceID: try r["source_id"].decode(String.self), topic: try r["topic"].decode(String.self),
            code: EventCode(rawValue: try r["code"].decode(String.self)), focus: try r["focus"].decode(String.self),
            patientCPR: try r["patient_cpr"].decode(String?.self),
            organization: try r["organization"].decode(String?.self),
            organizationName: try r["organization_name"].decode(String?.self),
            municipality: try r["municipality"].decode(String?.self),
            occurred: Date(timeIntervalSince1970: try r["occurred"].decode(Double.self)),
            accepted: Date(timeIntervalSince1970: try r["accepted"].decode(Double.self)))
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
        return entry
    }

    /// Every text column of every table, for the test that proves nothing clinical is stored.
    public func allText() async throws -> [String] {
        var texts: [String] = []
        for table in ["subscription", "event", "subscription_event", "binding_token", "audit", "counter"] {
            let rows = try await client.query(PostgresQuery(unsafeSQL: "SELECT * FROM \(table)"), logger: Self.quiet)
                .collect()
            for row in rows {
                for cell in row {
                    if let text = try? cell.decode(String.self) { texts.append(text) }
                }
            }
        }
        return texts
    }
}

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
