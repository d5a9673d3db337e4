import FHIR
import Foundation
import NIOCore
import Synchronization
import Words

// A source's searches as one FHIR batch where it offers it, and what it offers (its CapabilityStatement).
extension FederatedClient {
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
}
