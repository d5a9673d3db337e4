import Foundation

/// How long cached answers stay fresh, how much the cache may hold, and when old entries go.
public struct CachePolicy: Sendable {
    /// Freshness per resource type, in seconds; after that an answer is revalidated (If-None-Match) before use.
    public var timeToLive: [String: TimeInterval]
    public var defaultTimeToLive: TimeInterval
    /// The cache is trimmed (least recently used first) to stay under this size.
    public var maxBytes: Int
    /// Entries older than this are purged when the cache opens, fresh or not.
    public var maxAge: TimeInterval

    public init(
        timeToLive: [String: TimeInterval] = CachePolicy.standardTimeToLive, defaultTimeToLive: TimeInterval = 300,
        maxBytes: Int = 200 << 20, maxAge: TimeInterval = 7 * 86_400
    ) {
        self.timeToLive = timeToLive
        self.defaultTimeToLive = defaultTimeToLive
        self.maxBytes = maxBytes
        self.maxAge = maxAge
    }

    /// Encounters and notes change during a stay; allergies and demographics rarely.
    public static let standardTimeToLive: [String: TimeInterval] = [
        "metadata": 86_400, "Patient": 3600, "AllergyIntolerance": 3600, "Condition": 600, "MedicationStatement": 600,
        "CarePlan": 600, "DocumentReference": 600, "Appointment": 300, "Observation": 300, "Encounter": 120,
        "Communication": 120,
    ]

    public func timeToLive(for type: String) -> TimeInterval {
        timeToLive[type] ?? defaultTimeToLive
    }
}
