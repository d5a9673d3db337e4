import FHIR
import Foundation
import Testing

@testable import Federation

/// The in-memory page cache is bounded by the resources it holds, not by pages: one page of the large patient
/// weighs as much as a hundred small ones.
struct MemoryPageCacheTests {
    static func page(_ resources: Int) -> FHIR.Bundle {
        var bundle = FHIR.Bundle(type: "searchset")
        bundle.entry = (0..<resources).map { index in
            var observation = Observation()
            observation.id = "o\(index)"
            return .init(fullUrl: nil, resource: .observation(observation))
        }
        return bundle
    }

    @Test func theLeastRecentlyUsedPagesGoWhenTheBudgetIsFull() {
        let cache = MemoryPageCache(budget: 1000)
        let now = Date()
        func put(_ url: String, _ resources: Int) {
            cache.put(
                source: "hospital", url: url, patient: "p", bundle: Self.page(resources), etag: nil, fetchedAt: now,
                expiresAt: now + 60)
        }
        for n in 0..<10 { put("small-\(n)", 50) }
        #expect(cache.weight == 500)
        _ = cache.get(source: "hospital", url: "small-0")  // used again: now the most recent of the small ones
        put("large", 600)
        #expect(cache.weight <= 1000)
        #expect(cache.get(source: "hospital", url: "large") != nil, "the page just put in stays")
        #expect(cache.get(source: "hospital", url: "small-0") != nil, "recently used stays")
        #expect(cache.get(source: "hospital", url: "small-1") == nil, "the oldest went first")
        #expect(cache.get(source: "hospital", url: "small-9") != nil)

        // A page larger than the whole budget is still kept (the current patient must read warm), alone.
        put("huge", 1500)
        #expect(cache.get(source: "hospital", url: "huge") != nil)
        #expect(cache.weight == 1500)

        // Replacing a page counts its new size only; an empty page counts one.
        put("huge", 10)
        put("empty", 0)
        #expect(cache.weight == 11)
        cache.removeAll()
        #expect(cache.weight == 0)
    }
}
