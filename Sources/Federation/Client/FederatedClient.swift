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
    private let built = Mutex<[BuiltOverview]>([])
    static let builtCapacity = 2
    private let capabilities = Mutex<[String: Capabilities]>([:])
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

    // MARK: - Finding patients

    /// The patients in an emergency department right now, from every hospital source: encounters of class EMER that
    /// are in progress, newest first, with the patients' names and CPR numbers.
    /// `fetchedAt` is when the oldest part was fetched (older than now when a source failed and its cached board
    /// was used; `failures` then says why).
    public func emergencyBoard() async -> (entries: [BoardEntry], failures: [Phrase], fetchedAt: Date) {
        let hospitals = registry.clinical.filter { $0.sector == .hospital }
        let parts = await withTaskGroup(of: (Int, [BoardEntry], Phrase?, Date).self) { group in
            for (index, source) in hospitals.enumerated() {
                group.addTask {
                    let deadline = NIODeadline.now() + .milliseconds(Int64(source.timeoutMs))
                    let url = "\(source.fhir)/Encounter?class=EMER&status=in-progress&_count=200"
                    switch await self.allPages(
                        source: source, url: url, type: "Encounter", cpr: "", deadline: deadline, refresh: true)
                    {
                    case .failure(let failure):
                        return (index, [], Self.fromSource(source, failure.reason), Date())
                    case .success(let pages):
                        let fetchedAt = pages.origins.map(\.fetchedAt).min() ?? Date()
                        let stale = pages.origins.compactMap { origin -> FetchFailure? in
                            if case .stale(_, let failure) = origin { return failure }
                            return nil
                        }.first.map { Self.fromSource(source, $0.reason) }
                        let encounters = pages.resources.compactMap { fetched -> Encounter? in
                            if case .encounter(let encounter) = fetched.resource { return encounter }
                            return nil
                        }
                        let ids = Array(Set(encounters.compactMap { $0.subject?.target?.id })).sorted()
                        guard !ids.isEmpty else { return (index, [], stale, fetchedAt) }
                        let patientsURL = "\(source.fhir)/Patient?_id=\(Self.encode(ids.joined(separator: ",")))&_count=200"
                        guard
                            case .success(let people) = await self.allPages(
                                source: source, url: patientsURL, type: "Patient", cpr: "", deadline: deadline, refresh: false)
                        else { return (index, [], Self.fromSource(source, Phrase("failure.board-patients")), fetchedAt) }
                        var byID: [String: Patient] = [:]
                        for fetched in people.resources {
                            if case .patient(let patient) = fetched.resource, let id = patient.id { byID[id] = patient }
                        }
                        let entries = encounters.compactMap { encounter -> BoardEntry? in
                            guard let id = encounter.subject?.target?.id, let patient = byID[id],
                                let cpr = patient.cpr.flatMap({ try? CPRNumber($0) })
                            else { return nil }
                            return BoardEntry(
                                cpr: cpr, name: TextSanitizer.cleanLine(patient.preferredName?.displayName ?? "?"),
                                arrivedAt: encounter.period?.start,
                                department: encounter.serviceProvider?.display.map { TextSanitizer.cleanLine($0) },
                                reason: encounter.reasonCode?.first?.displayText.map { TextSanitizer.cleanLine($0) },
                                sourceID: source.id)
                        }
                        return (index, entries, stale, fetchedAt)
                    }
                }
            }
            var all: [(Int, [BoardEntry], Phrase?, Date)] = []
            for await part in group { all.append(part) }
            return all.sorted { $0.0 < $1.0 }
        }
        let entries = parts.flatMap(\.1).sorted {
            ($0.arrivedAt?.lowerBound ?? .distantPast) > ($1.arrivedAt?.lowerBound ?? .distantPast)
        }
        return (entries, parts.compactMap(\.2), parts.map(\.3).min() ?? Date())
    }

    /// Patients found by name at every source, one entry per CPR number: every typed word must begin a word of the
    /// name, in any order ("Bruno Test Elmer", "bruno elmer"; `NameMatch`). The sources are asked for the longest
    /// word (a FHIR `name` search matches the start of one part), and the answers are held to every word here.
    public func findPatients(name prefix: String) async -> [PatientMatch] {
        let typed = TextSanitizer.cleanLine(prefix, maxLength: 80)
        let words = typed.split { $0 == " " || $0 == "," || $0 == "\t" }.map(String.init)
        guard let query = words.max(by: { $0.count < $1.count }) else { return [] }
        let found = await withTaskGroup(of: [(Patient, SourceDefinition)].self) { group in
            for source in registry.clinical {
                group.addTask {
                    let deadline = NIODeadline.now() + .milliseconds(Int64(source.timeoutMs))
                    let url = "\(source.fhir)/Patient?name=\(Self.encode(query))&_count=50"
                    guard
                        case .success(let pages) = await self.allPages(
                            source: source, url: url, type: "Patient", cpr: "", deadline: deadline, refresh: true)
                    else { return [] }
                    return pages.resources.compactMap { fetched in
                        if case .patient(let patient) = fetched.resource { return (patient, source) }
                        return nil
                    }
                }
            }
            var all: [(Patient, SourceDefinition)] = []
            for await part in group { all += part }
            return all
        }
        var byCPR: [String: PatientMatch] = [:]
        for (patient, source) in found {
            let names = (patient.name ?? []).flatMap(NameMatch.words(of:))
            guard NameMatch.matches(typed, name: names) else { continue }
            guard let cpr = patient.cpr.flatMap({ try? CPRNumber($0) }) else { continue }
            if var existing = byCPR[cpr.value] {
                existing.sources.append(source.id)
                byCPR[cpr.value] = existing
            } else {
                byCPR[cpr.value] = PatientMatch(
                    cpr: cpr, name: TextSanitizer.cleanLine(patient.preferredName?.displayName ?? "?"),
                    birthDate: patient.birthDate,
                    sources: [source.id])
            }
        }
        return byCPR.values.sorted { $0.name < $1.name }
    }

    /// The patient's name from the first source that knows the CPR number (cached like any answer).
    public func patientName(cpr: CPRNumber) async -> String? {
        let identifier = "\(DanishSystems.cpr)|\(cpr.value)"
        for source in registry.clinical {
            let deadline = NIODeadline.now() + .milliseconds(Int64(source.timeoutMs))
            let url = "\(source.fhir)/Patient?identifier=\(Self.encode(identifier))"
            guard
                case .success(let pages) = await allPages(
                    source: source, url: url, type: "Patient", cpr: cpr.value, deadline: deadline, refresh: false)
            else { continue }
            for fetched in pages.resources {
                if case .patient(let patient) = fetched.resource, patient.cpr == cpr.value,
                    let name = patient.preferredName?.displayName
                {
                    return TextSanitizer.cleanLine(name)
                }
            }
        }
        return nil
    }

    /// Forgets that cached answers about this patient are fresh (from one source or all), so the next overview asks
    /// the sources again. The event stream calls this when a source announces a change.
    public func invalidate(cpr: CPRNumber, source: String? = nil) {
        memory.invalidate(patient: cpr.value, source: source)
        _ = try? cache?.invalidate(patient: cpr.value, source: source)
    }

    // MARK: - One source

    /// Everything one source holds on the patient, within the source's time limit.
    public func fetch(source: SourceDefinition, cpr: CPRNumber, refresh: Bool = false) async -> SourceResult {
        let clock = ContinuousClock()
        let started = clock.now
        let deadline = NIODeadline.now() + .milliseconds(Int64(source.timeoutMs))
        var status = SourceStatus(
            sourceID: source.id, sourceName: source.name, sector: source.sector, state: .ok, fetchedAt: nil, message: nil,
            resourceCount: 0, elapsedMs: 0)
        func finish(_ result: SourceResult) -> SourceResult {
            var result = result
            result.status.elapsedMs =
                Int((clock.now - started).components.seconds * 1000)
                + Int((clock.now - started).components.attoseconds / 1_000_000_000_000_000)
            return result
        }

        async let offered = capabilities(source, deadline: deadline, refresh: refresh)
        let identifier = "\(DanishSystems.cpr)|\(cpr.value)"
        let resolveURL = "\(source.fhir)/Patient?identifier=\(Self.encode(identifier))"
        let resolved = await allPages(
            source: source, url: resolveURL, type: "Patient", cpr: cpr.value, deadline: deadline, refresh: refresh)
        let offers = await offered
        let types = offers.types
        var origins: [PageOrigin] = []
        var stamps: [UInt64] = []
        let patients: [Patient]
        switch resolved {
        case .failure(let failure):
            status.state = Self.state(for: failure)
            status.message = Self.reason(failure, source)
            return finish(SourceResult(source: source, status: status))
        case .success(let pages):
            origins += pages.origins
            stamps += pages.stamps
            // Servers that ignore the identifier parameter must not give us someone else.
            patients = pages.resources.compactMap { fetched -> Patient? in
                guard case .patient(let patient) = fetched.resource,
                    patient.identifier?.contains(where: {
                        $0.system == DanishSystems.cpr && $0.value?.filter(\.isNumber) == cpr.value
                    }) == true
                else { return nil }
                return patient
            }
        }
        guard !patients.isEmpty else {
            status.state = .notFound
            status.fetchedAt = origins.map(\.fetchedAt).min()
            return finish(SourceResult(source: source, status: status))
        }

        let searchTypes = SectionKind.searchedTypes.filter { types?.contains($0) ?? true }
        let wanted = patients.compactMap(\.id).flatMap { id in
            searchTypes.map { type in
                (type: type, url: "\(source.fhir)/\(type)?patient=\(Self.encode(id))&_count=\(Self.pageSize)")
            }
        }
        var batched: [(String, Result<Pages, FetchFailure>)]?
        if offers.batch, wanted.count > 1, wanted.count <= Self.maxBatchEntries {
            batched = await batchSearches(source: source, searches: wanted, cpr: cpr.value, deadline: deadline, refresh: refresh)
        }
        let searches: [(String, Result<Pages, FetchFailure>)]
        if let batched {
            searches = batched
        } else {
            searches = await withTaskGroup(of: (Int, Result<Pages, FetchFailure>).self) { group in
                for (index, search) in wanted.enumerated() {
                    group.addTask {
                        (
                            index,
                            await self.allPages(
                                source: source, url: search.url, type: search.type, cpr: cpr.value, deadline: deadline,
                                refresh: refresh)
                        )
                    }
                }
                var all: [(Int, Result<Pages, FetchFailure>)] = []
                for await item in group { all.append(item) }
                return all.sorted { $0.0 < $1.0 }.map { (wanted[$0.0].type, $0.1) }
            }
        }
        var resources: [FetchedResource] = []
        var failures: [(String, FetchFailure)] = []
        for (type, result) in searches {
            switch result {
            case .success(let pages):
                resources += pages.resources
                origins += pages.origins
                stamps += pages.stamps
            case .failure(let failure):
                // Without a capability statement we tried every type; "unknown type" then just means "not here".
                if types == nil, failure.httpStatus == 404 || failure.httpStatus == 400 { continue }
                failures.append((type, failure))
            }
        }
        status.resourceCount = resources.count + patients.count
        status.fetchedAt = origins.map(\.fetchedAt).min()
        if let (_, failure) = failures.first(where: { [.denied, .withheld].contains($0.1.kind) }) {
            // Refused by the gateway: nothing of this source is shown, and the reason is.
            status.state = Self.state(for: failure)
            status.message = failure.reason
            return finish(SourceResult(source: source, status: status))
        } else if let (type, failure) = failures.first {
            status.state = Self.state(for: failure)
            let what = Self.reason(failure, source)
            status.message =
                failures.count == 1
                ? Phrase("failure.search", ["type": .text(type), "reason": .phrase(what)])
                : Phrase("failure.searches", ["count": .integer(failures.count), "type": .text(type), "reason": .phrase(what)])
        } else if let stale = origins.compactMap({ origin -> (Date, FetchFailure)? in
            if case .stale(let date, let failure) = origin { return (date, failure) }
            return nil
        }).min(by: { $0.0 < $1.0 }) {
            status.state = .stale
            status.message = Self.reason(stale.1, source)
        } else if origins.allSatisfy({ if case .cache = $0 { return true } else { return false } }) {
            status.state = .cached
        } else {
            status.state = .ok
        }
        var result = SourceResult(source: source, status: status, patients: patients, resources: resources)
        result.pageStamps = stamps
        return finish(result)
    }

    struct Pages: Sendable {
        var resources: [FetchedResource] = []
        var origins: [PageOrigin] = []
        /// The memory cache's stamp of each page, in order.
        var stamps: [UInt64] = []
    }

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

    // MARK: - Batch

    /// Most searches sent in one batch.
    static let maxBatchEntries = 50

    /// A source's searches (each with its `next` pages) as one FHIR `batch` request where the source offers it: one
    /// round trip and one answer to read instead of one per type. Each search keeps its own cache entry, ETag
    /// (`request.ifNoneMatch`) and outcome: fresh copies are not asked for, a 304 entry revalidates, a failed entry
    /// fails (or goes stale) alone. A source that refuses the batch itself is asked search by search, now and from
    /// then on.
    func batchSearches(
        source: SourceDefinition, searches: [(type: String, url: String)], cpr: String, deadline: NIODeadline,
        refresh: Bool
    ) async -> [(String, Result<Pages, FetchFailure>)]? {
        let now = Date()
        var firsts = [PageResult?](repeating: nil, count: searches.count)
        var knowns = [Known?](repeating: nil, count: searches.count)
        var asked: [Int] = []
        // Relative to the source's base: the cache key, and (without its "/") the batch entry's url.
        let keys = searches.map { Self.cacheKey($0.url, source: source) }
        for index in searches.indices {
            let known = known(source: source, key: keys[index], cpr: cpr, now: now)
            if let copy = fresh(known, refresh: refresh, now: now) {
                firsts[index] = copy
            } else {
                knowns[index] = known
                asked.append(index)
            }
        }
        if !asked.isEmpty {
            let entries = asked.map { index -> JSONValue in
                var request: JSONObject = [
                    "method": .string("GET"),
                    "url": .string(String(keys[index].drop { $0 == "/" })),
                ]
                if let etag = knowns[index]?.etag { request["ifNoneMatch"] = .string(etag) }
                return .object(["request": .object(request)])
            }
            let body: JSONValue = .object(["resourceType": .string("Bundle"), "type": .string("batch"), "entry": .array(entries)])
            do throws(FetchFailure) {
                let answer = try await client.post(source.fhir, body: body.serialized(), deadline: deadline, cpr: cpr)
                guard case .ok(let json, _) = answer, json["resourceType"]?.stringValue == "Bundle",
                    json["type"]?.stringValue == "batch-response", let answered = json["entry"]?.arrayValue,
                    answered.count == asked.count
                else { throw FetchFailure(.malformed, "failure.not-batch-response") }
                for (entry, index) in zip(answered, asked) {
                    let key = keys[index]
                    let type = searches[index].type
                    let response = entry["response"]
                    let status = response?["status"]?.stringValue ?? ""
                    let code = Int(status.prefix { $0.isNumber }) ?? 0
                    switch code {
                    case 200:
                        firsts[index] = accept(
                            entry["resource"] ?? .null, etag: response?["etag"]?.stringValue, source: source, key: key,
                            type: type,
                            cpr: cpr, known: knowns[index])
                    case 304:
                        firsts[index] = revalidated(knowns[index], source: source, key: key, type: type)
                    default:
                        let said = TextSanitizer.cleanLine(status, maxLength: 80)
                        var reason =
                            said.isEmpty ? Phrase("failure.batch-no-status") : Phrase("failure.http", ["status": .text(said)])
                        if let outcome = response?["outcome"],
                            let decoded = try? JSONValueDecoder.decode(OperationOutcome.self, from: outcome)
                        {
                            reason = Phrase(
                                "failure.with-outcome",
                                [
                                    "reason": .phrase(reason),
                                    "text": .text(TextSanitizer.cleanLine(decoded.message, maxLength: 300)),
                                ])
                        }
                        firsts[index] = Self.fallback(FetchFailure(.http, reason, httpStatus: code), known: knowns[index])
                    }
                }
            } catch {
                // Refused as a whole (not supported after all, or an answer that is not a batch-response): search
                // by search. A timeout, a dead source, a server error or a refusal by a gateway is what each search
                // would get too.
                let unsupported =
                    error.kind == .malformed || error.kind == .notFHIR
                    || (error.kind == .http && [400, 404, 405, 415, 422, 501].contains(error.httpStatus ?? 0))
                guard !unsupported else {
                    capabilities.withLock { $0[source.id]?.batch = false }
                    return nil
                }
                // Not reached, or a kept-alive connection closed under the request (a batch of reads is safe to
                // repeat): search by search, which says exactly what each search meets.
                if error.kind == .unreachable { return nil }
                for index in asked { firsts[index] = Self.fallback(error, known: knowns[index]) }
            }
        }
        return await withTaskGroup(of: (Int, Result<Pages, FetchFailure>).self) { group in
            for (index, search) in searches.enumerated() {
                guard let first = firsts[index] else { continue }
                group.addTask {
                    (
                        index,
                        await self.allPages(
                            source: source, url: search.url, type: search.type, cpr: cpr, deadline: deadline, refresh: refresh,
                            first: first)
                    )
                }
            }
            var all: [(Int, Result<Pages, FetchFailure>)] = []
            for await item in group { all.append(item) }
            return all.sorted { $0.0 < $1.0 }.map { (searches[$0.0].type, $0.1) }
        }
    }

    /// What a source says it offers (its CapabilityStatement): the resource types (nil: it does not say) and
    /// whether it answers a `batch`.
    struct Capabilities: Sendable {
        var types: Set<String>?
        var batch: Bool
    }

    func capabilities(_ source: SourceDefinition, deadline: NIODeadline, refresh: Bool) async -> Capabilities {
        if let known = capabilities.withLock({ $0[source.id] }) { return known }
        let url = "\(source.fhir)/metadata"
        var json: JSONValue?
        if let stored = try? cache?.lookup(source: source.id, url: "/metadata"), stored.isFresh(at: Date()) {
            json = try? JSONValue.parse(stored.payload)
        } else if case .ok(let answer, let etag)? = try? await client.get(url, deadline: deadline) {
            json = answer
            try? cache?.store(
                source: source.id, url: "/metadata", patient: nil, type: "metadata", etag: etag,
                payload: Data(answer.serialized()))
        }
        guard let json, let found = Self.capabilities(json) else { return Capabilities(types: nil, batch: false) }
        capabilities.withLock { $0[source.id] = found }
        return found
    }

    /// The two things the client needs from a CapabilityStatement (`rest.resource.type` and `rest.interaction`
    /// of the server part), read without decoding the rest of it (every search parameter of every type): it is read
    /// while the patient is being resolved, just before the searches go out. Nil when it is not a statement with
    /// resources.
    static func capabilities(_ json: JSONValue) -> Capabilities? {
        guard json["resourceType"]?.stringValue == "CapabilityStatement", let rests = json["rest"]?.arrayValue else {
            return nil
        }
        guard let server = rests.first(where: { $0["mode"]?.stringValue == "server" }) ?? rests.first,
            let resources = server["resource"]?.arrayValue
        else { return nil }
        let types = resources.compactMap { $0["type"]?.stringValue }
        guard types.count == resources.count else { return nil }
        let batch = server["interaction"]?.arrayValue?.contains { $0["code"]?.stringValue == "batch" } ?? false
        return Capabilities(types: Set(types), batch: batch)
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
