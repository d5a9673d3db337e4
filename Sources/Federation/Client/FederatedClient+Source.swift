import FHIR
import Foundation
import NIOCore
import Synchronization
import Words

// One source: everything it holds on the patient, within its time limit, in one SourceResult.
extension FederatedClient {
    /// What every clinical source of the registry holds on the patient, asked at once, in the registry's order
    /// (no cache: each source now).
    public func fetchAll(cpr: CPRNumber) async -> [SourceResult] {
        let sources = registry.clinical
        return await withTaskGroup(of: (Int, SourceResult).self) { group in
            for (index, source) in sources.enumerated() {
                group.addTask { (index, await self.fetch(source: source, cpr: cpr, refresh: true)) }
            }
            var all: [(Int, SourceResult)] = []
            for await result in group { all.append(result) }
            return all.sorted { $0.0 < $1.0 }.map(\.1)
        }
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
}
