import FHIR
import Foundation
import Synchronization

/// Decoded answers kept in memory in front of the disk cache, so a warm overview decodes nothing. The pages of the
/// patient used last are always kept, however large; the others are bounded by the number of resources held (a
/// decoded resource is a kilobyte or two; pages differ a hundredfold in size), least recently used first;
/// invalidated together with the disk cache.
///
/// Every copy put in (and every revalidation, which changes its fetch time) gets a new `stamp`, never reused: two
/// answers with the same stamp are the same content fetched at the same time, which is what lets the client reuse
/// an overview it built from them.
final class MemoryPageCache: Sendable {
    struct Entry: Sendable {
        let bundle: FHIR.Bundle
        let etag: String?
        var fetchedAt: Date
        var expiresAt: Date
        let source: String
        let patient: String?
        var lastAccess: UInt64
        var stamp: UInt64
        /// What the entry counts against the budget: its resources, and at least one for an empty page.
        var weight: Int { max(1, bundle.entry?.count ?? 0) }
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var tick: UInt64 = 0
        var stamps: UInt64 = 0
        var weight = 0
        /// The patient whose page was put or read last: never evicted.
        var current: String?
    }

    private let state = Mutex(State())
    /// Resources held at most, besides the current patient's.
    let budget: Int

    /// The current patient even when it is the 2,000-resource one, and about one ordinary patient more (a hundred or
    /// two resources); older answers are read from the encrypted file again (decrypt, parse, decode: 60 ms for the
    /// 2,040-resource patient, about 30 µs a resource). A decoded resource costs about 3 KB of heap: 600 resources of
    /// others cost 2 MB of resident memory more after 50 patients and bought nothing a user would notice.
    init(budget: Int = 150) {
        self.budget = budget
    }

    /// Resources held now.
    var weight: Int { state.withLock { $0.weight } }

    private static func key(_ source: String, _ url: String) -> String { source + "\u{0}" + url }

    func get(source: String, url: String) -> Entry? {
        state.withLock { state in
            let key = Self.key(source, url)
            guard var entry = state.entries[key] else { return nil }
            if let patient = entry.patient { state.current = patient }
            state.tick += 1
            entry.lastAccess = state.tick
            state.entries[key] = entry
            return entry
        }
    }

    /// Keeps a copy; returns its stamp.
    @discardableResult
    func put(
        source: String, url: String, patient: String?, bundle: FHIR.Bundle, etag: String?, fetchedAt: Date, expiresAt: Date
    ) -> UInt64 {
        state.withLock { state in
            state.tick += 1
            state.stamps += 1
            let stamp = state.stamps
            let key = Self.key(source, url)
            let entry = Entry(
                bundle: bundle, etag: etag, fetchedAt: fetchedAt, expiresAt: expiresAt, source: source, patient: patient,
                lastAccess: state.tick, stamp: stamp)
            state.weight += entry.weight - (state.entries[key]?.weight ?? 0)
            state.entries[key] = entry
            if let patient { state.current = patient }
            Self.evict(&state, budget: budget, keeping: key)
            return stamp
        }
    }

    /// Oldest first until the pages of other patients fit in `budget`; never the current patient's, never `key`.
    private static func evict(_ state: inout State, budget: Int, keeping key: String) {
        let current = state.current
        func isCurrent(_ entry: Entry) -> Bool { entry.patient != nil && entry.patient == current }
        let pinned = state.entries.values.reduce(0) { $0 + (isCurrent($1) ? $1.weight : 0) }
        guard state.weight - pinned > budget else { return }
        let candidates = state.entries.filter { $0.key != key && !isCurrent($0.value) }
        for (victim, old) in candidates.sorted(by: { $0.value.lastAccess < $1.value.lastAccess }) {
            guard state.weight - pinned > budget else { break }
            state.weight -= old.weight
            state.entries[victim] = nil
        }
    }

    /// A 304 renewed the copy: new fetch time, so a new stamp (also when the copy has gone meanwhile).
    func revalidated(source: String, url: String, fetchedAt: Date, expiresAt: Date) -> UInt64 {
        state.withLock { state in
            let key = Self.key(source, url)
            state.stamps += 1
            state.entries[key]?.fetchedAt = fetchedAt
            state.entries[key]?.expiresAt = expiresAt
            state.entries[key]?.stamp = state.stamps
            return state.stamps
        }
    }

    func invalidate(patient: String, source: String?) {
        state.withLock { state in
            for (key, entry) in state.entries where entry.patient == patient && (source == nil || entry.source == source) {
                state.entries[key]?.expiresAt = .distantPast
            }
        }
    }

    func removeAll() {
        state.withLock { state in
            state.entries.removeAll()
            state.weight = 0
        }
    }
}
