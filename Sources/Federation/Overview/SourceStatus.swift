import Foundation
import Words

/// How one source answered for this overview.
public struct SourceStatus: Codable, Sendable, Hashable {
    public enum State: String, Codable, Sendable {
        /// Answered now (or confirmed with 304 that our copy is current).
        case ok
        /// Served from a fresh cache without asking.
        case cached
        /// The source failed; older cached data is shown, with its age.
        case stale
        /// No answer within the source's time limit, nothing cached.
        case timedOut = "timed-out"
        /// The source failed, nothing cached.
        case error
        /// The source answered, and does not know this patient.
        case notFound = "not-found"
        /// Still being asked (in a partial overview, while other sources have answered).
        case loading
        /// The gateway refused access (no care relationship, ...): the message says why; emergency access may open it.
        case denied
        /// The gateway withheld this source's data at the patient's request.
        case withheld
    }

    public let sourceID: String
    public let sourceName: String
    public let sector: Sector
    public var state: State
    /// When the oldest piece shown from this source was fetched.
    public var fetchedAt: Date?
    /// Why it failed; for stale data, the failure behind it.
    public var message: Phrase?
    public var resourceCount: Int
    /// How long this source took in this overview, in milliseconds.
    public var elapsedMs: Int

    public init(
        sourceID: String, sourceName: String, sector: Sector, state: State, fetchedAt: Date?, message: Phrase?,
        resourceCount: Int,
        elapsedMs: Int
    ) {
        self.sourceID = sourceID
        self.sourceName = sourceName
        self.sector = sector
        self.state = state
        self.fetchedAt = fetchedAt
        self.message = message
        self.resourceCount = resourceCount
        self.elapsedMs = elapsedMs
    }

    /// Seconds between fetch and `now`.
    public func age(at now: Date) -> TimeInterval? {
        fetchedAt.map { max(0, now.timeIntervalSince($0)) }
    }
}
