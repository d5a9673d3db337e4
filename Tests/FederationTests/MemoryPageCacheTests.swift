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

    /// Puts a page of `resources` Observations for `patient`, fresh for a minute.
    static func put(_ cache: MemoryPageCache, _ source: String, _ url: String, _ resources: Int, patient: String) {
        let now = Date()
        cache.put(
            source: source, url: url, patient: patient, bundle: page(resources), etag: nil, fetchedAt: now,
            expiresAt: now + 60)
    }

    @Test func theLeastRecentlyUsedPagesGoWhenTheBudgetIsFull() {
        let cache = MemoryPageCache(budget: 1000)
        func put(_ url: String, _ resources: Int, patient: String) {
            Self.put(cache, "hospital", url, resources, patient: patient)
        }
        for n in 0..<10 { put("small-\(n)", 50, patient: "p\(n)") }
        #expect(cache.weight == 500)
        _ = cache.get(source: "hospital", url: "small-0")  // used again: now the most recent of the small ones
        put("large", 600, patient: "big")
        #expect(cache.weight <= 1000 + 600)
        #expect(cache.get(source: "hospital", url: "large") != nil, "the page just put in stays")
        #expect(cache.get(source: "hospital", url: "small-0") != nil, "recently used stays")
        #expect(cache.get(source: "hospital", url: "small-9") != nil)
        #expect(cache.weight == 1100, "all fit: the current patient's pages do not count against the budget")

        // A patient larger than the whole budget is kept whole (it must read warm); the others shrink to the budget,
        // the oldest first.
        for n in 0..<4 { put("huge-\(n)", 500, patient: "huge") }
        #expect((0..<4).allSatisfy { cache.get(source: "hospital", url: "huge-\($0)") != nil })
        #expect(cache.weight <= 2000 + 1000)
        #expect(cache.get(source: "hospital", url: "small-1") == nil, "the oldest went first")
        #expect(cache.get(source: "hospital", url: "large") != nil, "the last patient before fits in the budget")

        // Opening another patient makes the huge one an ordinary, old one: it goes as soon as it does not fit.
        put("next", 100, patient: "next")
        #expect(cache.get(source: "hospital", url: "next") != nil)
        #expect(cache.get(source: "hospital", url: "huge-0") == nil)
        #expect(cache.weight <= 100 + 1000)

        // Replacing a page counts its new size only; an empty page counts one.
        cache.removeAll()
        put("one", 1500, patient: "a")
        put("one", 10, patient: "a")
        put("empty", 0, patient: "a")
        #expect(cache.weight == 11)
        cache.removeAll()
        #expect(cache.weight == 0)
    }

    @Test func readingAPatientsPageMakesItTheCurrentOne() {
        let cache = MemoryPageCache(budget: 100)
        func put(_ url: String, _ resources: Int, patient: String) { Self.put(cache, "gp", url, resources, patient: patient) }
        put("a", 400, patient: "a")
        put("b", 50, patient: "b")
        #expect(cache.get(source: "gp", url: "a") == nil, "a is not current and exceeds the budget")
        put("a", 400, patient: "a")
        #expect(cache.get(source: "gp", url: "b") != nil)  // b is current again now
        put("c", 80, patient: "c")
        #expect(cache.get(source: "gp", url: "a") == nil)
        #expect(cache.get(source: "gp", url: "b") != nil, "b fits in the budget beside c")
    }
}
