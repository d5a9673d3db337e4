import Crypto
import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// FHIR Bulk Data Access v2 at a source, for the analysis platform only (its own credential: `Authorization: Bearer`,
/// checked against the SHA-256 the source was given; without one configured, nobody exports):
///
/// - kick-off: `GET [base]/$export`, `[base]/Patient/$export`, `[base]/Group/[id]/$export` with
///   `Prefer: respond-async`, `_type`, `_since`, `_outputFormat` (NDJSON): 202 and `Content-Location`;
/// - status: `GET [base]/$export-status/[job]`: 202 with `X-Progress` and `Retry-After` while it runs, then 200 and
///   the manifest; `DELETE` cancels it (202) and removes its files;
/// - files: `GET [base]/$export-file/[job]/[name]`, `application/fhir+ndjson`, streamed from disk.
extension FHIRSourceResponder {
    static let statusPath = "$export-status"
    static let filePath = "$export-file"
    static let ndjson = "application/fhir+ndjson"

    /// The answer when `parts` (the path after the base) is a Bulk Data route; nil when it is not one.
    func bulk(_ request: Request, parts: [String]) async throws -> Response? {
        let kickOff: (patientsOnly: Bool, group: String?)? =
            switch parts {
            case ["$export"]: (false, nil)
            case ["Patient", "$export"]: (true, nil)
            case let p where p.count == 3 && p[0] == "Group" && p[2] == "$export": (true, p[1])
            default: nil
            }
        let isStatus = parts.count == 2 && parts[0] == Self.statusPath
        let isFile = parts.count == 3 && parts[0] == Self.filePath
        guard kickOff != nil || isStatus || isFile else { return nil }
        do {
            try authorizeExport(request)
            if let kickOff {
                guard request.method == .get else {
                    throw FHIRError(status: 405, code: "not-supported", "Eksport startes med GET")
                }
                return try startExport(request, patientsOnly: kickOff.patientsOnly, group: kickOff.group).response
            }
            if isStatus { return try exportStatus(request, job: parts[1]) }
            return try exportFile(job: parts[1], name: parts[2])
        } catch let error as FHIRError {
            var answer = Self.outcomeAnswer(error)
            if error.status == 401 { answer.headers[.wwwAuthenticate] = "Bearer" }
            return answer.response
        }
    }

    /// Only the holder of the source's export credential exports; compared in constant time.
    func authorizeExport(_ request: Request) throws(FHIRError) {
        guard let expected = bulkCredentialSHA256 else {
            throw FHIRError(status: 403, code: "forbidden", "Denne kilde har ingen eksport-adgang sat op")
        }
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw FHIRError(status: 401, code: "login", "Eksport kræver analyseplatformens adgangsnøgle (Bearer)")
        }
        let wanted = Array(expected.utf8)
        let hex = Array(SHA256.hash(data: Data(header.dropFirst(7).trimmingCharacters(in: .whitespaces).utf8)).hexString.utf8)
        guard hex.count == wanted.count, zip(hex, wanted).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else {
            throw FHIRError(status: 401, code: "login", "Adgangsnøglen til eksport er ikke gyldig")
        }
    }

    func startExport(_ request: Request, patientsOnly: Bool, group: String?) throws(FHIRError) -> Answer {
        let prefer = request.headers[Self.prefer] ?? ""
        guard prefer.contains("respond-async") else {
            throw FHIRError.invalid("Eksport kræver Prefer: respond-async", expression: "Prefer")
        }
        let lenient = prefer.contains("handling=lenient")
        if let accept = request.headers[.accept], !accept.isEmpty,
            !["application/fhir+json", "application/json", "*/*"].contains(where: accept.contains)
        {
            throw FHIRError(
                status: 406, code: "not-supported", "Eksport svarer med application/fhir+json, ikke \(accept.prefix(80))")
        }
        let (asked, since) = try Self.exportParameters(
            QueryString.parse(request.uri.query), lenient: lenient, offered: bulkSource.exportTypes)
        var types = asked
        var patients: Set<String>?
        if let group {
            guard let members = bulkSource.groupMembers(group) else {
                throw FHIRError.notFound("Gruppen \(group.prefix(64)) findes ikke")
            }
            patients = members
        }
        if types.isEmpty { types = bulkSource.exportTypes }
        let base = baseURL(request)
        let url = base + request.uri.description.dropFirst(basePath.count)
        let id = try bulkExports.start(
            BulkExports.Request(types: types, since: since, patients: patients, patientsOnly: patientsOnly, url: url),
            from: bulkSource)
        var headers = HTTPFields()
        headers[.contentLocation] = "\(base)/\(Self.statusPath)/\(id)"
        headers[.contentType] = Self.fhirJSON
        let outcome = OperationOutcome(severity: "information", code: "informational", diagnostics: "Eksporten er startet")
        return Answer(status: .accepted, headers: headers, body: (try? JSONValue.from(outcome))?.serialized() ?? [])
    }

    /// The kick-off's parameters: the types asked for (each one the source exports; none: every type) and `_since`
    /// (an instant with seconds); an unsupported parameter is refused unless `lenient`.
    package static func exportParameters(
        _ items: [(name: String, value: String)], lenient: Bool, offered: [String]
    ) throws(FHIRError) -> (types: [String], since: Date?) {
        var types: [String] = []
        var since: Date?
        for (name, value) in items {
            switch name {
            case "_outputFormat":
                guard ["application/fhir+ndjson", "application/ndjson", "ndjson"].contains(value) else {
                    throw FHIRError.invalid(
                        "_outputFormat \(value.prefix(60)) understøttes ikke; kun application/fhir+ndjson",
                        parameter: "_outputFormat")
                }
            case "_type":
                for type in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                    guard offered.contains(type) else {
                        throw FHIRError.invalid(
                            "_type \(type.prefix(60)) eksporteres ikke her (kan: \(offered.joined(separator: ", ")))",
                            parameter: "_type")
                    }
                    if !types.contains(type) { types.append(type) }
                }
            case "_since":
                guard since == nil, let instant = try? FHIRDateTime(value), instant.precision >= .second else {
                    throw FHIRError.invalid(
                        "_since skal være ét tidspunkt med sekunder og tidszone, fx 2026-01-01T00:00:00Z",
                        parameter: "_since")
                }
                since = instant.lowerBound
            default:
                guard lenient else {
                    throw FHIRError.notSupported(
                        "Parameteren \(name.prefix(60)) understøttes ikke ved eksport (Prefer: handling=lenient springer den over)"
                    )
                }
            }
        }
        return (types, since)
    }

    func exportStatus(_ request: Request, job: String) throws(FHIRError) -> Response {
        if request.method == .delete {
            guard bulkExports.cancel(job) else { throw FHIRError.notFound("Ingen eksport \(job.prefix(64))") }
            return Answer(status: .accepted, headers: [.contentType: Self.fhirJSON], body: []).response
        }
        guard request.method == .get else { throw FHIRError(status: 405, code: "not-supported", "Kun GET og DELETE") }
        switch bulkExports.status(job) {
        case nil:
            throw FHIRError.notFound("Ingen eksport \(job.prefix(64)) (slettet, udløbet eller aldrig startet)")
        case .running(let written, let estimated)?:
            let percent = estimated > 0 ? min(99, written * 100 / estimated) : 0
            var headers = HTTPFields()
            headers[HTTPField.Name("X-Progress")!] = "\(percent) % (\(written) af ca. \(estimated) ressourcer)"
            headers[.retryAfter] = "1"
            return Response(status: .accepted, headers: headers)
        case .failed(let message)?:
            throw FHIRError(status: 500, code: "exception", message)
        case .done(let time, let url, let outputs)?:
            let base = baseURL(request)
            let manifest: JSONValue = .object([
                "transactionTime": .string(FHIRDateTime(date: time, precision: .fraction).text),
                "request": .string(url),
                "requiresAccessToken": .bool(true),
                "output": .array(
                    outputs.map { output in
                        .object([
                            "type": .string(output.type), "count": .number(Double(output.count)),
                            "url": .string("\(base)/\(Self.filePath)/\(job)/\(output.name)"),
                        ])
                    }),
                "deleted": .array([]),
                "error": .array([]),
            ])
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: manifest.serialized())))
        }
    }

    /// A finished job's file, read from disk a quarter of a megabyte at a time as the client takes it.
    func exportFile(job: String, name: String) throws(FHIRError) -> Response {
        guard let url = bulkExports.file(job: job, name: name), let handle = try? FileHandle(forReadingFrom: url) else {
            throw FHIRError.notFound("Ingen fil \(name.prefix(64)) i eksport \(job.prefix(64))")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        var headers: HTTPFields = [.contentType: Self.ndjson]
        if let size { headers[.contentLength] = String(size) }
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                defer { try? handle.close() }
                while let chunk = try handle.read(upToCount: 256 << 10), !chunk.isEmpty {
                    try await writer.write(ByteBuffer(bytes: chunk))
                }
                try await writer.finish(nil)
            })
    }
}
