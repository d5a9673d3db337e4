import Crypto
import FHIR
import Foundation
import Words

/// One access, as logged: who (user, role, organisation), about whom (CPR), which source and resource types, why
/// (purpose of use; the typed reason for emergency access), the outcome and when. Each entry carries the hash of the
/// one before it, so a changed or removed entry breaks the chain (`sundhedscloud audit verify`).
public struct AuditEntry: Sendable, Equatable, Codable {
    public var sequence: Int64
    public var recorded: Date
    public var userID: String
    public var userName: String
    public var role: String
    public var organization: String?
    public var organizationName: String?
    public var patientCPR: String?
    public var sourceID: String?
    /// Resource types asked for or returned, sorted.
    public var resourceTypes: [String]
    /// read | search
    public var action: String
    /// TREAT | PATRQT | EMERGENCY
    public var purpose: String
    /// success | denied | withheld
    public var outcome: String
    /// Emergency reason, or the denial's reason code.
    public var reason: String?
    public var emergency: Bool
    public var client: String?
    /// The app the access went through (client id and name), when it was not the user's own client.
    public var appID: String?
    public var appName: String?
    public var previousHash: String
    public var hash: String

    /// A new entry before the storage gives it its place in the chain.
    public init(
        recorded: Date = Date(), identity: Identity, patientCPR: String?, sourceID: String?, resourceTypes: [String],
        action: String, purpose: String, outcome: String, reason: String?, emergency: Bool, client: String?
    ) {
        self.sequence = 0
        self.recorded = recorded
        self.userID = identity.id
        // A citizen's own lookups: their CPR number is in the entry already; their name is not stored.
        self.userName = identity.role == .citizen ? "borgeren selv" : identity.name
        self.role = identity.role.rawValue
        self.organization = identity.organization?.value
        self.organizationName = identity.organization?.name
        self.patientCPR = patientCPR
        self.sourceID = sourceID
        self.resourceTypes = Array(Set(resourceTypes)).sorted()
        self.action = action
        self.purpose = purpose
        self.outcome = outcome
        self.reason = reason
        self.emergency = emergency
        self.client = client
        self.appID = identity.app?.clientID
        self.appName = identity.app?.name
        self.previousHash = ""
        self.hash = ""
    }

    /// The chain's first `previousHash`.
    public static let genesis = String(repeating: "0", count: 64)

    /// SHA-256 over every field but the hash itself, in a fixed order, with the previous hash included.
    public func computedHash() -> String {
        let fields: [String] = [
            String(sequence), String(Int64((recorded.timeIntervalSince1970 * 1000).rounded())), userID, userName, role,
            organization ?? "", organizationName ?? "", patientCPR ?? "", sourceID ?? "",
            resourceTypes.joined(separator: ","), action, purpose, outcome, reason ?? "", emergency ? "1" : "0",
            client ?? "", previousHash,
        ]
        // An access through an app also seals the app; entries without one hash as they always have.
        let app = appID.map { ["app", $0, appName ?? ""] } ?? []
        let digest = SHA256.hash(data: Data((fields + app).joined(separator: "\u{1F}").utf8))
        return digest.hexString
    }

    /// Rounds the time to what the storage keeps (milliseconds), so the hash is the same after a round trip.
    public mutating func seal(sequence: Int64, previousHash: String) {
        self.sequence = sequence
        self.recorded = Date(timeIntervalSince1970: (recorded.timeIntervalSince1970 * 1000).rounded() / 1000)
        self.previousHash = previousHash
        self.hash = computedHash()
    }
}

/// Checks a whole audit chain, oldest first.
public enum AuditChain {
    public struct Report: Sendable, Equatable {
        public var count: Int
        /// The first entry that does not fit, and why; nil when the chain is intact.
        public var broken: Broken?
    }

    /// Where a chain breaks: the entry, and why (`audit-check.*`).
    public struct Broken: Sendable, Equatable, Phrased {
        public var sequence: Int64
        public var phrase: Phrase

        /// Why, in Danish.
        public var reason: String { Catalog.danish.text(phrase) }
    }

    public static func verify(_ entries: [AuditEntry]) -> Report {
        var previous = AuditEntry.genesis
        var expected: Int64 = 1
        for entry in entries {
            if entry.sequence != expected {
                return Report(
                    count: entries.count,
                    broken: Broken(
                        sequence: entry.sequence,
                        phrase: Phrase("audit-check.sequence-missing", ["sequence": .integer(Int(expected))])))
            }
            if entry.previousHash != previous {
                return Report(
                    count: entries.count, broken: Broken(sequence: entry.sequence, phrase: Phrase("audit-check.wrong-previous")))
            }
            if entry.computedHash() != entry.hash {
                return Report(
                    count: entries.count, broken: Broken(sequence: entry.sequence, phrase: Phrase("audit-check.content-changed")))
            }
            previous = entry.hash
            expected += 1
        }
        return Report(count: entries.count, broken: nil)
    }
}
