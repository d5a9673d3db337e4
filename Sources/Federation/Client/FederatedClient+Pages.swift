import FHIR
import Foundation
import NIOCore
import Synchronization
import Words

// A search and its pages through the caches: what is fresh, what is revalidated, what an answer may be.
extension FederatedClient {
    /// A search and all its following pages. `next` links must stay on the source's own server.
    /// `first`, when given, is the first page's answer, already had (from a batch).
    func allPages(
        source: SourceDefinition, url: String, type: String, cpr: String, deadline: NIODeadline, refresh: Bool,
        first: PageResult? = nil
    ) async
        -> Result<Pages, FetchFailure>
    {
        var pages = Pages()
        var next: String? = url
        var visited = Set<String>()
        var first = first
        while let current = next {
            guard visited.count < Self.maxPages, visited.insert(current).inserted else {
                return .failure(FetchFailure(.malformed, "failure.endless-pages", ["count": .integer(Self.maxPages)]))
            }
            let answer: PageResult
            if let had = first {
                answer = had
                first = nil
            } else {
                answer = await page(source: source, url: current, type: type, cpr: cpr, deadline: deadline, refresh: refresh)
            }
            switch answer {
            case .failure(let failure):
                return .failure(failure)
            case .success(let (bundle, origin, stamp)):
                pages.origins.append(origin)
                pages.stamps.append(stamp)
                pages.resources += bundle.resources.map { FetchedResource(resource: $0, fetchedAt: origin.fetchedAt) }
                next = nil
                if let link = bundle.link("next") {
                    guard let resolved = Self.resolve(link, against: source.fhir) else {
                        return .failure(FetchFailure(.malformed, "failure.foreign-next-link"))
                    }
                    next = resolved
                }
            }
        }
        return .success(pages)
    }

    /// The cache key of a request: its URL relative to the source's base, so a source that moves (the embedded demo
    /// gets new ports each run) keeps its cached answers.
    static func cacheKey(_ url: String, source: SourceDefinition) -> String {
        url.hasPrefix(source.fhir) ? String(url.dropFirst(source.fhir.count)) : url
    }

    typealias PageResult = Result<(FHIR.Bundle, PageOrigin, UInt64), FetchFailure>

    /// A copy of an answer held in memory or on disk, fresh or not.
    struct Known {
        let bundle: FHIR.Bundle
        let etag: String?
        let fetchedAt: Date
        let expiresAt: Date
        let stamp: UInt64
    }

    /// What the memory cache, then the disk cache, holds for this request.
    func known(source: SourceDefinition, key: String, cpr: String, now: Date) -> Known? {
        if let entry = memory.get(source: source.id, url: key) {
            return Known(
                bundle: entry.bundle, etag: entry.etag, fetchedAt: entry.fetchedAt, expiresAt: entry.expiresAt,
                stamp: entry.stamp)
        }
        guard let stored = try? cache?.lookup(source: source.id, url: key, now: now),
            let json = try? JSONValue.parse(stored.payload),
            let bundle = try? JSONValueDecoder.decode(FHIR.Bundle.self, from: json)
        else { return nil }
        let stamp = memory.put(
            source: source.id, url: key, patient: cpr, bundle: bundle, etag: stored.etag, fetchedAt: stored.fetchedAt,
            expiresAt: stored.expiresAt)
        return Known(bundle: bundle, etag: stored.etag, fetchedAt: stored.fetchedAt, expiresAt: stored.expiresAt, stamp: stamp)
    }

    /// Through a gateway every request is asked, fresh copy or not (conditionally: a 304 costs nothing): the gateway
    /// decides each access anew and logs it, so a clinician whose access has ended never sees a copy again.
    var asksEveryTime: Bool { client.login != nil }

    /// A copy that is still fresh, used without asking (unless the user asked to refresh, or a gateway decides).
    func fresh(_ known: Known?, refresh: Bool, now: Date) -> PageResult? {
        guard let known, !refresh, !asksEveryTime, now < known.expiresAt else { return nil }
        return .success((known.bundle, .cache(fetchedAt: known.fetchedAt), known.stamp))
    }

    func timeToLive(_ type: String) -> TimeInterval {
        cache?.policy.timeToLive(for: type) ?? CachePolicy().timeToLive(for: type)
    }

    /// A failed request: the copy we hold, marked stale with the reason, or the failure. A refusal is never papered
    /// over with an older copy.
    static func fallback(_ failure: FetchFailure, known: Known?) -> PageResult {
        if [.denied, .withheld].contains(failure.kind) { return .failure(failure) }
        if let known { return .success((known.bundle, .stale(fetchedAt: known.fetchedAt, failure: failure), known.stamp)) }
        return .failure(failure)
    }

    /// One answer through the memory and disk caches.
    func page(
        source: SourceDefinition, url: String, type: String, cpr: String, deadline: NIODeadline, refresh: Bool
    ) async -> PageResult {
        let now = Date()
        let key = Self.cacheKey(url, source: source)
        // 1. Memory, then disk: a fresh copy is used without asking.
        let known = known(source: source, key: key, cpr: cpr, now: now)
        if let copy = fresh(known, refresh: refresh, now: now) { return copy }
        // 2. Ask the source, conditionally if we hold a copy.
        let answer: FHIRHTTPClient.Answer
        do {
            answer = try await client.get(url, ifNoneMatch: known?.etag, deadline: deadline, cpr: cpr.isEmpty ? nil : cpr)
        } catch {
            return Self.fallback(error, known: known)
        }
        switch answer {
        case .notModified:
            return revalidated(known, source: source, key: key, type: type)
        case .ok(let json, let etag):
            return accept(json, etag: etag, source: source, key: key, type: type, cpr: cpr, known: known)
        }
    }

    /// A 304: the copy we hold is current again.
    func revalidated(_ known: Known?, source: SourceDefinition, key: String, type: String) -> PageResult {
        guard let known else { return .failure(FetchFailure(.malformed, "failure.unconditional-304")) }
        let fetchedAt = Date()
        try? cache?.revalidated(source: source.id, url: key, type: type, at: fetchedAt)
        let stamp = memory.revalidated(
            source: source.id, url: key, fetchedAt: fetchedAt, expiresAt: fetchedAt.addingTimeInterval(timeToLive(type)))
        return .success((known.bundle, .revalidated(fetchedAt), stamp))
    }

    /// A 200 with a parsed (and already sanitized) body: a searchset Bundle is decoded, stored in both caches and
    /// used; anything else fails this request (with the copy we hold as stale data, if any) and is not stored.
    func accept(
        _ json: JSONValue, etag: String?, source: SourceDefinition, key: String, type: String, cpr: String, known: Known?
    ) -> PageResult {
        guard json["resourceType"]?.stringValue == "Bundle" else {
            if json["resourceType"]?.stringValue == "OperationOutcome",
                let outcome = try? JSONValueDecoder.decode(OperationOutcome.self, from: json)
            {
                return Self.fallback(
                    FetchFailure(
                        .http, "failure.outcome", ["text": .text(TextSanitizer.cleanLine(outcome.message, maxLength: 300))]),
                    known: known)
            }
            return Self.fallback(FetchFailure(.malformed, "failure.not-bundle"), known: known)
        }
        // Sanitized before anything is stored or shown (`FHIRHTTPClient` does it while parsing); decoded from the
        // parsed value, no second parse.
        let bundle: FHIR.Bundle
        do {
            bundle = try JSONValueDecoder.decode(FHIR.Bundle.self, from: json)
        } catch {
            return Self.fallback(
                FetchFailure(.malformed, "failure.unreadable-bundle", ["error": .text(AnyResource.describe(error))]),
                known: known)
        }
        let entries = bundle.entry ?? []
        let unreadable = entries.filter { if case .unreadable = $0.resource { return true } else { return false } }.count
        if unreadable > 0 {
            return Self.fallback(
                FetchFailure(
                    .malformed, "failure.unreadable-entries", ["count": .integer(unreadable), "total": .integer(entries.count)]),
                known: known)
        }
        let fetchedAt = Date()
        if let cache {
            try? cache.store(
                source: source.id, url: key, patient: cpr, type: type, etag: etag, payload: Data(json.serialized()),
                fetchedAt: fetchedAt)
        }
        let stamp = memory.put(
            source: source.id, url: key, patient: cpr, bundle: bundle, etag: etag, fetchedAt: fetchedAt,
            expiresAt: fetchedAt.addingTimeInterval(timeToLive(type)))
        return .success((bundle, .network(fetchedAt), stamp))
    }
}
