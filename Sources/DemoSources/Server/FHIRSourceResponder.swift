import Crypto
import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Answers the FHIR R4 REST API of one demo source under `/fhir`: `metadata`, read, vread, search (GET and
/// POST `_search`), with paging links, ETags and `If-None-Match`, and OperationOutcomes for every error.
package struct FHIRSourceResponder: HTTPResponder {
    package typealias Context = BasicRequestContext

    let sourceID: String
    let sourceName: String
    let store: ResourceStore
    let faults: FaultControl
    let basePath = "/fhir"
    /// The CapabilityStatement, written once when the server starts (what a source supports does not change while
    /// it runs; its `date` is the start).
    let capabilities: [UInt8]?

    /// `https` when the source listens with TLS: its links say so.
    let scheme: String
    /// Bulk Data export: the jobs, what is exported, and the SHA-256 (hex) of the analysis platform's credential
    /// (nil: no export).
    let bulkExports: BulkExports
    let bulkSource: any BulkSource
    let bulkCredentialSHA256: String?
    /// The types a client may update (`PUT`), and how a write is stored and announced; none: read-only.
    let writableTypes: Set<String>
    let write: (@Sendable (JSONValue) throws -> StoredResource)?

    package init(
        sourceID: String, sourceName: String, store: ResourceStore, faults: FaultControl, scheme: String = "http",
        bulkExports: BulkExports = BulkExports(), bulkSource: (any BulkSource)? = nil, bulkCredentialSHA256: String? = nil,
        writableTypes: Set<String> = [], write: (@Sendable (JSONValue) throws -> StoredResource)? = nil
    ) {
        self.writableTypes = write == nil ? [] : writableTypes
        self.write = write
        self.bulkExports = bulkExports
        self.bulkSource = bulkSource ?? StoreBulkSource(store: store)
        self.bulkCredentialSHA256 = bulkCredentialSHA256
        self.scheme = scheme
        self.sourceID = sourceID
        self.sourceName = sourceName
        self.store = store
        self.faults = faults
        self.capabilities = Self.capabilityStatement(
            sourceID: sourceID, sourceName: sourceName, store: store, writable: write == nil ? [] : writableTypes)
    }

    static let fhirJSON = "application/fhir+json; charset=utf-8"
    static let prefer = HTTPField.Name("Prefer")!

    package func respond(to request: Request, context: Context) async throws -> Response {
        let fault = faults.current
        // Injected latency is the time from the request to the answer, the source's own work included: a real
        // source searches on its own machine while the client waits, so the answer is made first and held back
        // until the latency has passed (a search slower than the latency is not held at all).
        let due = ContinuousClock.now + .milliseconds(fault.latencyMs)
        let injected = fault.errorRate > 0 && Double.random(in: 0..<1) < fault.errorRate
        if injected, fault.errorKind == .hang {
            try await Task.sleep(for: .seconds(120))
        }
        let path = request.uri.path
        if path.hasPrefix(basePath + "/") {
            let parts = path.dropFirst(basePath.count).split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
            if let response = try await bulk(request, parts: parts) {
                if fault.latencyMs > 0 { try await Task.sleep(until: due, clock: .continuous) }
                return response
            }
        }
        var answer: Answer
        do {
            answer = try await route(request)
        } catch let error as FHIRError {
            answer = Self.outcomeAnswer(error)
        } catch is NIOTooManyBytesError {
            answer = Self.outcomeAnswer(FHIRError(status: 413, code: "too-costly", "Forespørgslen er for stor"))
        } catch let error as HTTPError {
            // A body over the limit, or one that could not be read: the client's error, with its status.
            let status = Int(error.status.code)
            answer = Self.outcomeAnswer(
                FHIRError(
                    status: status, code: status == 413 ? "too-costly" : "invalid",
                    status == 413 ? "Forespørgslen er for stor" : "Forespørgslen kan ikke læses"))
        }
        if injected {
            answer = Self.faulty(answer, kind: fault.errorKind)
        }
        if fault.latencyMs > 0 {
            try await Task.sleep(until: due, clock: .continuous)
        }
        return answer.response
    }

    /// A response before it is sent: the body is kept as bytes so fault injection can mangle it.
    struct Answer {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: [UInt8]

        var response: Response {
            Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }

    private func route(_ request: Request) async throws -> Answer {
        let path = request.uri.path
        guard path == basePath || path.hasPrefix(basePath + "/") else {
            throw FHIRError.notFound("Ingen FHIR-ressource på \(path); FHIR-basen er \(basePath)")
        }
        let parts = path.dropFirst(basePath.count).split(separator: "/").map(String.init)
        var items = QueryString.parse(request.uri.query)
        let lenient = request.headers[Self.prefer]?.contains("handling=lenient") ?? false

        let base = baseURL(request)
        let ifNoneMatch = request.headers[.ifNoneMatch]
        if request.method == .post, parts.count == 2, parts[1] == "_search" {
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            items += QueryString.parse(String(buffer: body))
            return try search(type: parts[0], items: items, lenient: lenient, base: base, ifNoneMatch: ifNoneMatch)
        }
        if request.method == .post, parts.isEmpty {
            var request = request
            let body = try await request.collectBody(upTo: Self.maxBatchBytes)
            return try batch(Array(buffer: body), lenient: lenient, base: base)
        }
        if request.method == .put, parts.count == 2 {
            return try await update(type: parts[0], id: parts[1], request: request, base: base)
        }
        guard request.method == .get || request.method == .head else {
            throw FHIRError(
                status: 405, code: "not-supported", "\(request.method.rawValue) understøttes ikke; kilden kan kun læses")
        }
        switch parts.count {
        case 0:
            throw FHIRError.notSupported("Søgning på tværs af alle typer understøttes ikke; angiv en ressourcetype")
        case 1 where parts[0] == "metadata":
            guard let capabilities else {
                throw FHIRError(status: 500, code: "exception", "CapabilityStatement kunne ikke skrives")
            }
            var headers = HTTPFields()
            headers[.contentType] = Self.fhirJSON
            return Answer(status: .ok, headers: headers, body: capabilities)
        default:
            return try answer(parts: parts, items: items, lenient: lenient, base: base, ifNoneMatch: ifNoneMatch, path: path)
        }
    }

    /// A search or a read, from the path's parts after the base.
    func answer(
        parts: [String], items: [(name: String, value: String)], lenient: Bool, base: String, ifNoneMatch: String?,
        path: String
    ) throws -> Answer {
        switch parts.count {
        case 1:
            return try search(type: parts[0], items: items, lenient: lenient, base: base, ifNoneMatch: ifNoneMatch)
        case 2:
            return try read(type: parts[0], id: parts[1], base: base, ifNoneMatch: ifNoneMatch)
        case 4 where parts[2] == "_history":
            return try read(type: parts[0], id: parts[1], version: parts[3], base: base, ifNoneMatch: ifNoneMatch)
        default:
            throw FHIRError.notSupported("Stien \(path) understøttes ikke", status: 404)
        }
    }

    static let maxBatchBytes = 1 << 20
    static let maxBatchEntries = 100

    /// A FHIR `batch` of reads and searches (`POST [base]`): each entry is answered as its own GET would be (with
    /// its own `ifNoneMatch`), in order, and one failing entry fails only itself. The source is read-only, so a
    /// `transaction` or an entry that would change data is refused.
    func batch(_ body: [UInt8], lenient: Bool, base: String) throws -> Answer {
        let json: JSONValue
        do { json = try JSONValue.parse(Data(body)) } catch {
            throw FHIRError.invalid("Batch-bundtet er ikke gyldig JSON")
        }
        guard json["resourceType"]?.stringValue == "Bundle" else {
            throw FHIRError.invalid("POST til FHIR-basen skal være et Bundle af typen batch")
        }
        guard json["type"]?.stringValue == "batch" else {
            throw FHIRError(
                status: json["type"]?.stringValue == "transaction" ? 405 : 400, code: "not-supported",
                "Kun batch af læsninger og søgninger understøttes; kilden kan ikke ændres")
        }
        let entries = json["entry"]?.arrayValue ?? []
        guard entries.count <= Self.maxBatchEntries else {
            throw FHIRError.invalid("Højst \(Self.maxBatchEntries) poster i et batch (fik \(entries.count))")
        }
        var out: [UInt8] = []
        func append(_ text: String) { out.append(contentsOf: Array(text.utf8)) }
        append("{\"resourceType\":\"Bundle\",\"type\":\"batch-response\",\"entry\":[")
        for (index, entry) in entries.enumerated() {
            if index > 0 { append(",") }
            var answer: Answer
            do {
                answer = try batchEntry(entry, lenient: lenient, base: base)
            } catch let error as FHIRError {
                answer = Self.outcomeAnswer(error)
            }
            let status = "\(answer.status.code) \(answer.status.reasonPhrase)"
            append("{")
            if answer.status == .ok {
                append("\"resource\":")
                out.append(contentsOf: answer.body)
                append(",")
            }
            append("\"response\":{\"status\":")
            JSONValue.writeString(status, into: &out)
            if let etag = answer.headers[.eTag] {
                append(",\"etag\":")
                JSONValue.writeString(etag, into: &out)
            }
            if answer.status.code >= 400, !answer.body.isEmpty {
                append(",\"outcome\":")
                out.append(contentsOf: answer.body)
            }
            append("}}")
        }
        append("]}")
        var headers = HTTPFields()
        headers[.contentType] = Self.fhirJSON
        return Answer(status: .ok, headers: headers, body: out)
    }

    private func batchEntry(_ entry: JSONValue, lenient: Bool, base: String) throws -> Answer {
        guard let request = entry["request"], let url = request["url"]?.stringValue else {
            throw FHIRError.invalid("Batch-posten mangler request.url")
        }
        let method = request["method"]?.stringValue ?? ""
        guard method == "GET" else {
            throw FHIRError(
                status: 405, code: "not-supported",
                "\(method.isEmpty ? "(ingen metode)" : method) understøttes ikke; kilden kan kun læses")
        }
        // Relative to the base ("Condition?patient=1"), or absolute on it.
        var relative = Substring(url)
        if relative.hasPrefix(base + "/") { relative = relative.dropFirst(base.count + 1) }
        guard !relative.contains("://"), !relative.hasPrefix("/") else {
            throw FHIRError.invalid("Batch-postens url skal være relativ til FHIR-basen: \(url)")
        }
        let pathPart = relative.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let parts = pathPart[0].split(separator: "/").map(String.init)
        let items = pathPart.count > 1 ? QueryString.parse(String(pathPart[1])) : []
        guard !parts.isEmpty else { throw FHIRError.notSupported("Angiv en ressourcetype i batch-postens url") }
        return try answer(
            parts: parts, items: items, lenient: lenient, base: base, ifNoneMatch: request["ifNoneMatch"]?.stringValue,
            path: "\(basePath)/\(pathPart[0])")
    }

    private func checkType(_ type: String) throws(FHIRError) {
        guard store.supportedTypes.contains(type) else {
            if let first = type.first, first.isUppercase, type.allSatisfy({ $0.isLetter }) {
                throw FHIRError.notSupported("Ressourcetypen \(type) findes ikke hos \(sourceName)", status: 404)
            }
            throw FHIRError.notSupported("Ukendt ressourcetype '\(type)'", status: 404)
        }
    }

    private func read(type: String, id: String, version: String? = nil, base: String, ifNoneMatch: String?) throws -> Answer {
        try checkType(type)
        guard FHIRID.isValid(id) else { throw FHIRError.invalid("'\(id)' er ikke et gyldigt id") }
        guard let stored = store.read(type: type, id: id) else {
            throw FHIRError.notFound("\(type)/\(id) findes ikke hos \(sourceName)")
        }
        if let version, version != String(stored.versionId) {
            throw FHIRError.notFound(
                "\(type)/\(id) findes ikke i version \(version); den gældende version er \(stored.versionId)")
        }
        var headers = HTTPFields()
        headers[.eTag] = stored.etag
        headers[.lastModified] = Self.httpDate(stored.lastUpdated.lowerBound)
        headers[.contentLocation] = "\(base)/\(type)/\(id)/_history/\(stored.versionId)"
        if Self.matches(ifNoneMatch, etag: stored.etag) {
            return Answer(status: .notModified, headers: headers, body: [])
        }
        headers[.contentType] = Self.fhirJSON
        return Answer(status: .ok, headers: headers, body: stored.bytes)
    }

    private func search(
        type: String, items: [(name: String, value: String)], lenient: Bool, base: String, ifNoneMatch: String?
    ) throws -> Answer {
        try checkType(type)
        let search = try SearchRequest(resourceType: type, items: items, lenient: lenient)
        let (total, page) = store.search(search)
        // Links keep the criteria and controls in order, replacing only the offset.
        let kept = items.filter { $0.name != "_offset" }
        func link(_ offset: Int) -> String {
            let query = QueryString.encode(kept + (offset > 0 ? [("_offset", String(offset))] : []))
            return "\(base)/\(type)" + (query.isEmpty ? "" : "?\(query)")
        }
        var links: [(String, String)] = [("self", link(search.offset))]
        if !search.summaryCount {
            links.append(("first", link(0)))
            if search.offset + page.count < total, search.count > 0 {
                links.append(("next", link(search.offset + search.count)))
            }
            if search.offset > 0 {
                links.append(("previous", link(max(0, search.offset - search.count))))
            }
        }
        var identity = "\(total)|"
        for (relation, url) in links { identity += "\(relation)=\(url)|" }
        for resource in page { identity += "\(resource.type)/\(resource.id)/\(resource.versionId)|" }
        identity += search.warnings.joined(separator: "|")
        let digest = SHA256.hash(data: Data(identity.utf8))
        let etag = "W/\"" + digest.prefix(12).hexString + "\""

        var headers = HTTPFields()
        headers[.eTag] = etag
        if Self.matches(ifNoneMatch, etag: etag) {
            return Answer(status: .notModified, headers: headers, body: [])
        }
        var out: [UInt8] = []
        out.reserveCapacity(page.reduce(512) { $0 + $1.bytes.count + 128 })
        func append(_ text: String) { out.append(contentsOf: Array(text.utf8)) }
        func appendString(_ text: String) { JSONValue.writeString(text, into: &out) }
        append("{\"resourceType\":\"Bundle\",\"id\":")
        appendString(String(etag.dropFirst(3).dropLast()))
        append(",\"meta\":{\"lastUpdated\":")
        appendString(FHIRDateTime(date: Date()).text)
        append("},\"type\":\"searchset\",\"total\":\(total),\"link\":[")
        for (index, (relation, url)) in links.enumerated() {
            if index > 0 { append(",") }
            append("{\"relation\":")
            appendString(relation)
            append(",\"url\":")
            appendString(url)
            append("}")
        }
        append("]")
        if !page.isEmpty || !search.warnings.isEmpty {
            append(",\"entry\":[")
            for (index, resource) in page.enumerated() {
                if index > 0 { append(",") }
                append("{\"fullUrl\":")
                appendString("\(base)/\(resource.type)/\(resource.id)")
                append(",\"resource\":")
                out.append(contentsOf: resource.bytes)
                append(",\"search\":{\"mode\":\"match\"}}")
            }
            if !search.warnings.isEmpty {
                if !page.isEmpty { append(",") }
                let outcome = OperationOutcome(
                    issue: search.warnings.map {
                        OperationOutcome.Issue(severity: "warning", code: "not-supported", diagnostics: $0)
                    })
                append("{\"resource\":")
                out.append(contentsOf: (try? JSONValue.from(outcome))?.serialized() ?? [])
                append(",\"search\":{\"mode\":\"outcome\"}}")
            }
            append("]")
        }
        append("}")
        headers[.contentType] = Self.fhirJSON
        return Answer(status: .ok, headers: headers, body: out)
    }

    private static func capabilityStatement(
        sourceID: String, sourceName: String, store: ResourceStore, writable: Set<String>
    ) -> [UInt8]? {
        var statement = CapabilityStatement()
        statement.id = "\(sourceID)-capabilities"
        statement.name = "DemoSource\(sourceID.capitalized)"
        statement.title = sourceName
        statement.status = "active"
        statement.date = FHIRDateTime(date: Date())
        statement.publisher = "SundhedsCloud demo"
        statement.kind = "instance"
        statement.software = .init(name: "SundhedsCloud DemoSources", version: "1.0")
        statement.implementation = .init(
            description: "\(sourceName): syntetiske demodata, "
                + (writable.isEmpty ? "kun læsning" : "læsning og opdatering af \(writable.sorted().joined(separator: ", "))"))
        statement.fhirVersion = "4.0.1"
        statement.format = ["json"]
        var rest = CapabilityStatement.Rest(mode: "server")
        rest.interaction = [.init(code: "batch")]
        rest.resource = store.supportedTypes.map { type in
            var resource = CapabilityStatement.Resource(type: type)
            resource.interaction = [.init(code: "read"), .init(code: "vread"), .init(code: "search-type")]
            if writable.contains(type) {
                resource.interaction?.append(.init(code: "update"))
                resource.updateCreate = true
            }
            resource.versioning = "versioned"
            resource.conditionalRead = "full-support"
            resource.searchParam = SearchParameterRegistry.parameters(for: type).map {
                .init(name: $0.name, type: $0.type.rawValue, documentation: $0.documentation)
            }
            return resource
        }
        rest.searchParam = ["_count", "_offset", "_sort", "_summary"].map {
            .init(name: $0, type: $0 == "_sort" || $0 == "_summary" ? "string" : "number")
        }
        statement.rest = [rest]
        return (try? JSONValue.from(statement))?.serialized()
    }

    /// `http://host:port/fhir` as the client addressed us.
    /// The base its links are written with: the host the client asked for, if it is a plain host[:port] (a Host
    /// header with anything else in it is not written into links), else 127.0.0.1.
    func baseURL(_ request: Request) -> String {
        var host = request.head.authority ?? "127.0.0.1"
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
        if host.isEmpty || host.count > 255 || !host.allSatisfy(allowed.contains) { host = "127.0.0.1" }
        return "\(scheme)://\(host)\(basePath)"
    }

    static func matches(_ ifNoneMatch: String?, etag: String) -> Bool {
        guard let ifNoneMatch else { return false }
        let strip = { (tag: String) in tag.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "W/", with: "") }
        return ifNoneMatch.split(separator: ",").contains { strip(String($0)) == strip(etag) || strip(String($0)) == "*" }
    }

    static func outcomeAnswer(_ error: FHIRError) -> Answer {
        var headers = HTTPFields()
        headers[.contentType] = fhirJSON
        let body = (try? JSONValue.from(error.outcome))?.serialized() ?? []
        // With its reason phrase (`HTTPResponse.Status(code:)` has none): it shows on the status line and in a batch
        // entry's `response.status`.
        let status = HTTPResponse.Status(
            code: error.status, reasonPhrase: HTTPResponseStatus(statusCode: error.status).reasonPhrase)
        return Answer(status: status, headers: headers, body: body)
    }

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    /// Turns a good answer into the kind of bad answer a broken source gives.
    static func faulty(_ answer: Answer, kind: FaultSettings.ErrorKind) -> Answer {
        var headers = HTTPFields()
        switch kind {
        case .http500, .hang:
            return outcomeAnswer(FHIRError(status: 500, code: "exception", "Intern fejl i kilden (fejlinjektion)"))
        case .html:
            headers[.contentType] = "text/html; charset=utf-8"
            let page =
                "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>nginx</p></body></html>"
            return Answer(status: .ok, headers: headers, body: Array(page.utf8))
        case .truncated:
            var answer = answer
            answer.status = .ok
            answer.body = Array(answer.body.prefix(max(1, answer.body.count / 2)))
            answer.headers[.contentType] = fhirJSON
            answer.headers[.eTag] = nil
            return answer
        case .garbage:
            headers[.contentType] = fhirJSON
            let garbage = """
                {"resourceType":"Bundle","type":"searchset","total":4,"entry":[\
                {"resource":{"resourceType":"Observation","id":"x1","status":{"not":"a code"},"code":17}},\
                {"resource":"ikke en ressource"},\
                {"resource":{"id":"uden-type"}},\
                {"fullUrl":"urn:uuid:0","resource":{"resourceType":"Condition","id":"x2","onsetDateTime":"i går"}}]}
                """
            return Answer(status: .ok, headers: headers, body: Array(garbage.utf8))
        }
    }
}
