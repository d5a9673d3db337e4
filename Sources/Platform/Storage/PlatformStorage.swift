import Foundation

/// Everything the platform persists, behind one protocol so that the embedded default (SQLite) and a shared
/// database for several nodes (PostgreSQL) are two backends of the same platform. No clinical data: events are
/// references and codes, subscriptions are routing.
///
/// Numbering is the backend's job and happens inside its transaction: `append` must give each subscription the
/// next number with no gaps and no duplicates, even when several writers append at once.
public protocol PlatformStorage: Sendable {
    /// Creates or upgrades the schema.
    func migrate() async throws

    func insertSubscription(_ record: SubscriptionRecord) async throws
    func subscription(id: String) async throws -> SubscriptionRecord?
    /// All subscriptions that are not `off`.
    func subscriptions() async throws -> [SubscriptionRecord]
    func updateStatus(subscriptionID: String, status: SubscriptionRecord.Status, error: String?) async throws

    /// Stores `event` once and numbers it in each of `subscriptionIDs`. A `sourceKey` seen before stores nothing
    /// and returns nil (a source's retried delivery). `committed` is called after the commit, in commit order, so
    /// live subscribers are handed numbers in order (they fill any gap from storage all the same).
    func append(
        _ event: EventRecord, for subscriptionIDs: [String], committed: @escaping @Sendable (AppendResult) -> Void
    ) async throws -> AppendResult?
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
