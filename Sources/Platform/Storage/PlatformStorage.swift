import Foundation
import Logging
import Words

/// Everything the platform persists, behind one protocol so that the embedded default (SQLite) and a shared
/// database for several nodes (PostgreSQL) are two backends of the same platform. No clinical data: events are
/// references and codes, subscriptions are routing.
///
/// Numbering is the backend's job and happens inside its transaction: `append` must give each subscription the
/// next number with no gaps and no duplicates, even when several writers (several nodes) append at once.
///
/// Several nodes may share one storage (PostgreSQL). Each node matches events against its copy of the
/// subscriptions; the copy carries the version it was read at, and `append` refuses (`StorageConflict`) when the
/// subscriptions changed since, so no node numbers an event against an outdated list. What other nodes store comes
/// to this node through `changes()`.
public protocol PlatformStorage: Sendable {
    /// Creates or upgrades the schema; fails with a message naming the problem (unreachable, wrong password, ...).
    func migrate() async throws
    /// Answers quickly whether the storage can be used right now; throws why not.
    func check() async throws
    /// A short description for logs and the health endpoint, without any password ("sqlite:/path", "postgres://host:port/db").
    var location: String { get }
    /// True when other nodes may share this storage (their events arrive through `changes()`).
    var isShared: Bool { get }
    /// Lets go of connections and background work.
    func shutdown() async

    func insertSubscription(_ record: SubscriptionRecord) async throws
    func subscription(id: String) async throws -> SubscriptionRecord?
    /// All subscriptions that are not `off`, and the version of that list.
    func subscriptionSnapshot() async throws -> SubscriptionSnapshot
    func updateStatus(subscriptionID: String, status: SubscriptionRecord.Status, error: String?) async throws

    /// Stores `event` once and numbers it in each of `subscriptionIDs`. A `sourceKey` seen before stores nothing
    /// and returns nil (a source's retried delivery). Throws `StorageConflict.subscriptionsChanged` (storing
    /// nothing) if the subscriptions are no longer at `subscriptionsVersion`. `committed` is called after the
    /// commit; live subscribers fill any gap in the numbers from storage.
    func append(
        _ event: EventRecord, for subscriptionIDs: [String], subscriptionsVersion: Int64,
        committed: @escaping @Sendable (AppendResult) -> Void
    ) async throws -> AppendResult?
    /// Stored events and their numbers, by the events' ids (events another node stored), in id order; ids not
    /// found are left out.
    func appended(eventIDs: [Int64]) async throws -> [AppendResult]
    /// Changes made by other nodes sharing this storage, as they commit. Ends when the storage shuts down; a
    /// single-node storage's stream ends at once.
    func changes() -> AsyncStream<StorageChange>
    /// Events of one subscription with numbers in `(after, through]`, oldest first, at most `limit`.
    func events(subscriptionID: String, after: Int64, through: Int64?, limit: Int) async throws -> [NumberedEvent]
    /// Codes already stored for a resource at a source (to tell a correction from a first notification).
    func codes(forFocus focus: String) async throws -> [EventCode]
    /// Rest-hook: the endpoint has accepted everything through `number`.
    func setDelivered(subscriptionID: String, through number: Int64) async throws

    func saveBindingToken(_ token: BindingToken) async throws
    func bindingToken(_ token: String) async throws -> BindingToken?

    /// Appends an access to the audit log: the backend gives it the next sequence number and the previous entry's
    /// hash inside its transaction (serialized across writers), seals it, and returns it as stored. Entries are never
    /// changed or removed.
    func appendAudit(_ entry: AuditEntry) async throws -> AuditEntry
    /// Audit entries, oldest first, with sequence > `after`; for one patient, and/or only emergency accesses.
    func auditEntries(patient: String?, emergencyOnly: Bool, after: Int64, limit: Int) async throws -> [AuditEntry]
    /// The last entry's sequence and hash as the table holds them (0 and the genesis hash when the log is empty).
    func auditHead() async throws -> (sequence: Int64, hash: String)

    /// Registers an app or replaces its registration (same client id).
    func saveApp(_ app: AppRegistration) async throws
    /// Every registered app, withdrawn ones too, by client id.
    func apps() async throws -> [AppRegistration]
    /// Installs an app for an organisation, or replaces that installation.
    func saveInstallation(_ installation: AppInstallation) async throws
    /// Removes an organisation's installation; false when there was none.
    func removeInstallation(clientID: String, organization: Identity.Organization) async throws -> Bool
    func installations() async throws -> [AppInstallation]
    /// A number that changes with every change to the apps or their installations (by any node or command): one
    /// cheap read that tells whether a node's copy is still the storage's.
    func appsVersion() async throws -> Int64
    /// Records a client assertion's `jti` until it expires: false when the client used it before (a replay), across
    /// every node of the storage.
    func claimAssertion(clientID: String, jti: String, expires: Date) async throws -> Bool
}

extension PlatformStorage {
    /// Lets go of connections and background work (PostgreSQL); nothing to do for SQLite.
    public func shutdown() async {}

    /// The whole audit log, oldest first, read in pages (for `audit verify`).
    public func auditChain() async throws -> [AuditEntry] {
        var all: [AuditEntry] = []
        while true {
            let page = try await auditEntries(
                patient: nil, emergencyOnly: false, after: all.last?.sequence ?? 0, limit: 5000)
            all += page
            if page.count < 5000 { return all }
        }
    }
}

/// Opens the storage a configuration names: `sqlite:PATH` or `postgres://USER:PASSWORD@HOST:PORT/DATABASE`.
public enum PlatformStorageLocation {
    public static func open(
        _ text: String, logger: Logger = Logger(label: "sundhedscloud.storage")
    ) throws
        -> any PlatformStorage
    {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            return try PostgresStorage(url: text, logger: logger)
        }
        if text.hasPrefix("sqlite:"), text.count > 7 {
            return try SQLiteStorage(path: String(text.dropFirst(7)))
        }
        throw PlatformStorageError(Phrase("storage.unknown-location", ["location": PostgresURL.shown(text)]))
    }

    /// Checks the form of a location without opening anything.
    public static func validate(_ text: String) throws {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            _ = try PostgresURL(text)
        } else if !(text.hasPrefix("sqlite:") && text.count > 7) {
            throw PlatformStorageError(Phrase("storage.unknown-location", ["location": PostgresURL.shown(text)]))
        }
    }
}

/// Subscriptions as read at one version of the list.
public struct SubscriptionSnapshot: Sendable {
    public var version: Int64
    public var records: [SubscriptionRecord]

    public init(version: Int64, records: [SubscriptionRecord]) {
        self.version = version
        self.records = records
    }
}

/// `append` found the subscriptions changed since the caller read them; read them again and retry.
public enum StorageConflict: Error, Sendable {
    case subscriptionsChanged
}

/// What another node did to a shared storage.
public enum StorageChange: Sendable, Equatable {
    /// An event was stored (and numbered); read it with `appended(eventIDs:)`.
    case event(Int64)
    /// A subscription was created or changed its status.
    case subscriptionsChanged
    /// The connection that carries these changes was lost and is back: something may have been missed, so live
    /// subscribers read from their last number and the subscriptions are read again.
    case resync
    /// This node became (true) or stopped being (false) the one that delivers rest-hook notifications.
    case restHookDelivery(Bool)
}

/// The stored event and its number in each subscription it matched.
public struct AppendResult: Sendable, Hashable {
    public let event: EventRecord
    public let numbers: [String: Int64]

    public init(event: EventRecord, numbers: [String: Int64]) {
        self.event = event
        self.numbers = numbers
    }
}
