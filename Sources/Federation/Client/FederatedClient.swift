import FHIR
import Foundation
import NIOCore
import Synchronization
import Words

/// Assembles a patient's overview from every source on demand: resolves the CPR number at each source, then runs
/// that source's searches (`patient=<id>`), all sources and all resource types at once, each source within its own
/// time limit, following `next` links. Answers go through the cache (fresh copies are used as they are, old ones
/// revalidated with If-None-Match, and used as stale data if the source fails). A slow or dead source costs no more
/// than its own time limit and never holds up the others.
public final class FederatedClient: Sendable {
    public let registry: SourceRegistry
    let client: FHIRHTTPClient
    public let cache: ResourceCache?
    let memory = MemoryPageCache()
    /// The overviews last built, most recent last (see `assemble`): the current patient's and the one before (an
    /// older one's pages have left the memory cache, so it could not be reused anyway).
    let built = Mutex<[BuiltOverview]>([])
    static let builtCapacity = 2
    let capabilities = Mutex<[String: Capabilities]>([:])
    /// The most pages followed for one search, against servers whose `next` links never end.
    static let maxPages = 200
    static let pageSize = 500

    public init(registry: SourceRegistry, client: FHIRHTTPClient, cache: ResourceCache?) {
        self.registry = registry
        self.client = client
        self.cache = cache
    }

    /// The overview of one patient. `refresh` asks every source again even when cached copies are fresh.
    /// `progress` gets a partial overview each time a source has answered while others are still being asked, so a
    /// screen can show what has arrived at once. `now` is the clock the status words are read against
    /// ("kommende" until an appointment starts); tests give it.
    public func overview(
        cpr: CPRNumber, refresh: Bool = false, now: Date = Date(),
        progress: (@Sendable (PatientOverview) -> Void)? = nil
    ) async -> PatientOverview {
        let sources = registry.clinical
        typealias Answer = (index: Int, result: SourceResult, prepared: OverviewBuilder.PreparedSource?)
        let answers = await withTaskGroup(of: Answer.self) { group in
            for (index, source) in sources.enumerated() {
                group.addTask {
                    let result = await self.fetch(source: source, cpr: cpr, refresh: refresh)
                    // This source's items are made here, beside the other sources' reading, unless the overview
                    // built before from the same pages is likely to be reused.
                    let prepared =
                        self.builtFrom(cpr: cpr.value, source: result) ? nil : OverviewBuilder.prepare(result, now: now)
                    return (index, result, prepared)
                }
            }
            var answers: [Int: Answer] = [:]
            for await answer in group {
                answers[answer.index] = answer
                if let progress, answers.count < sources.count {
                    let partial = sources.indices.map { i in
                        answers[i]?.result ?? SourceResult(source: sources[i], status: Self.loadingStatus(sources[i]))
                    }
                    let prepared = sources.indices.map { answers[$0]?.prepared }
                    progress(
                        OverviewBuilder.buildWithExpiry(cpr: cpr.value, results: partial, prepared: prepared, now: now).overview)
                }
            }
            return sources.indices.compactMap { answers[$0] }
        }
        return assemble(cpr: cpr.value, results: answers.map(\.result), prepared: answers.map(\.prepared), now: now)
    }

    /// Whether the overview built last for `cpr` came from exactly this source's pages.
    func builtFrom(cpr: String, source result: SourceResult) -> Bool {
        guard !result.pageStamps.isEmpty else { return false }
        return built.withLock { list in
            list.last { $0.cpr == cpr }?.inputs.contains { $0.sourceID == result.source.id && $0.stamps == result.pageStamps }
                ?? false
        }
    }

    /// An overview built before is reused when every source gave exactly the same pages (same stamps: the same
    /// copies, fetched at the same times, so every item's fetch time is still true) and no appointment has started
    /// since (its status word depends on the clock). Only the per-source statuses and `assembledAt` are new.
    func assemble(
        cpr: String, results: [SourceResult], prepared: [OverviewBuilder.PreparedSource?] = [], now: Date
    ) -> PatientOverview {
        let inputs = results.map { BuiltOverview.Input(sourceID: $0.source.id, stamps: $0.pageStamps) }
        let statuses = results.map(\.status)
        let reused = built.withLock { list -> PatientOverview? in
            guard let index = list.firstIndex(where: { $0.cpr == cpr }) else { return nil }
            let entry = list.remove(at: index)
            guard entry.inputs == inputs, now < entry.validUntil else { return nil }
            list.append(entry)
            return entry.overview
        }
        if let reused { return reused.restamped(sources: statuses, assembledAt: now) }
        let (overview, validUntil) = OverviewBuilder.buildWithExpiry(cpr: cpr, results: results, prepared: prepared, now: now)
        built.withLock { list in
            list.removeAll { $0.cpr == cpr }
            list.append(BuiltOverview(cpr: cpr, inputs: inputs, overview: overview, validUntil: validUntil))
            if list.count > Self.builtCapacity { list.removeFirst(list.count - Self.builtCapacity) }
        }
        return overview
    }

    /// The gateway session, when the sources are reached through a gateway.
    public var login: GatewayLogin? { client.login }

    static func state(for failure: FetchFailure) -> SourceStatus.State {
        switch failure.kind {
        case .timeout: .timedOut
        case .denied: .denied
        case .withheld: .withheld
        default: .error
        }
    }

    /// Opens a patient under emergency access (værdispring) for this session: the reason goes with every request
    /// about them, and the gateway logs it. Only through a gateway.
    public func grantEmergency(cpr: CPRNumber, reason: String) {
        client.login?.grantEmergency(cpr: cpr.value, reason: reason)
    }

    static func loadingStatus(_ source: SourceDefinition) -> SourceStatus {
        SourceStatus(
            sourceID: source.id, sourceName: source.name, sector: source.sector, state: .loading, fetchedAt: nil, message: nil,
            resourceCount: 0, elapsedMs: 0)
    }

    static func encode(_ value: String) -> String { QueryString.encodeComponent(value) }

    /// An absolute `next` URL on the same server as `base`, or a relative one resolved against it.
    static func resolve(_ link: String, against base: String) -> String? {
        guard let baseURL = URL(string: base) else { return nil }
        guard let url = URL(string: link, relativeTo: baseURL.appendingPathComponent("/"))?.absoluteURL else { return nil }
        guard url.scheme == baseURL.scheme, url.host == baseURL.host, url.port == baseURL.port else { return nil }
        return url.absoluteString
    }

    /// The one place a failure is worded for a source's status: a timeout says the source's own limit.
    static func reason(_ failure: FetchFailure, _ source: SourceDefinition) -> Phrase {
        failure.kind == .timeout ? Phrase.timeout(milliseconds: source.timeoutMs) : failure.reason
    }

    /// "Herlev Hospital: <reason>", for the board's failures.
    static func fromSource(_ source: SourceDefinition, _ reason: Phrase) -> Phrase {
        Phrase("failure.from-source", ["source": .text(source.name), "reason": .phrase(reason)])
    }
}
