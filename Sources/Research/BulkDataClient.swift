import AsyncHTTPClient
import FHIR
import Foundation
import NIOCore
import NIOHTTP1
import Words

/// The analysis platform's side of FHIR Bulk Data Access v2: a system-level export kicked off at a source with the
/// platform's credential, polled as `Retry-After` says, its manifest checked, and its files downloaded to disk
/// (whole, line counts as the manifest says) before anything is loaded. The credential goes only to the source's
/// own origin: a manifest pointing a file anywhere else is refused.
public struct BulkDataClient: Sendable {
    public struct Source: Sendable {
        public var id: String
        /// The FHIR base, `https://host:port/fhir`.
        public var base: String
        public var token: String

        public init(id: String, base: String, token: String) {
            self.id = id
            self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
            self.token = token
        }
    }

    /// A downloaded file: its type, where it is, and its lines.
    public struct File: Sendable {
        public let type: String
        public let path: URL
        public let lines: Int
    }

    let http: HTTPClient
    /// How long an export may take before it is given up (and cancelled at the source).
    var deadline: Duration
    /// The largest file taken (a source answering without end must not fill the disk).
    var maxFileBytes: Int

    public init(http: HTTPClient, deadline: Duration = .seconds(1800), maxFileBytes: Int = 8 << 30) {
        self.http = http
        self.deadline = deadline
        self.maxFileBytes = maxFileBytes
    }

    /// Exports `types` from `source` into `folder`; every failure is a `ResearchError` naming the source.
    public func export(_ source: Source, types: [String], to folder: URL) async throws(ResearchError) -> [File] {
        let say = { (id: String, detail: String) in
            ResearchError(id, ["source": .text(source.id), "detail": .text(TextSanitizer.cleanLine(detail, maxLength: 300))])
        }
        let kickOff = "\(source.base)/$export?_type=\(types.joined(separator: ","))&_outputFormat=application%2Ffhir%2Bndjson"
        let started = try await send(kickOff, source, say: say)
        guard started.status == 202, let status = started.headers.first(name: "Content-Location") else {
            throw say("research.export-refused", Self.outcome(started))
        }
        guard Self.sameOrigin(status, source.base) else { throw say("research.manifest-elsewhere", status) }
        var files: [File] = []
        do {
            let manifest = try await poll(status, source, say: say)
            files = try await download(manifest, types: types, source: source, to: folder, say: say)
        } catch {
            _ = try? await send(status, source, method: .DELETE, say: say)
            throw error
        }
        // Done with it: the source may remove its files.
        _ = try? await send(status, source, method: .DELETE, say: say)
        return files
    }

    struct Answer {
        let status: Int
        let headers: HTTPHeaders
        let body: [UInt8]
    }

    func send(
        _ url: String, _ source: Source, method: HTTPMethod = .GET, say: (String, String) -> ResearchError
    ) async throws(ResearchError) -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(source.token)")
        request.headers.add(name: "Accept", value: "application/fhir+json")
        request.headers.add(name: "Prefer", value: "respond-async")
        // A kick-off, a poll and a cancel are each safe to send again: a connection the source closed under the
        // request (it closes idle ones) is tried again on a new one, twice.
        var attempt = 0
        while true {
            attempt += 1
            do {
                let response = try await http.execute(request, timeout: .seconds(30))
                let body = try await response.body.collect(upTo: 16 << 20)
                return Answer(status: Int(response.status.code), headers: response.headers, body: Array(buffer: body))
            } catch {
                guard attempt < 3, Self.connectionDropped(error) else {
                    throw say("research.source-unreachable", "\(error)")
                }
                try? await Task.sleep(for: .milliseconds(100 * attempt))
            }
        }
    }

    /// Whether the connection was closed or reset under the request (not refused, not timed out).
    static func connectionDropped(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .remoteConnectionClosed
        }
        if let error = error as? IOError { return [ECONNRESET, EPIPE].contains(error.errnoCode) }
        return false
    }

    /// Polls until the manifest (or the deadline, when the export is cancelled).
    func poll(
        _ status: String, _ source: Source, say: (String, String) -> ResearchError
    ) async throws(ResearchError)
        -> JSONValue
    {
        let end = ContinuousClock.now + deadline
        while true {
            let answer = try await send(status, source, say: say)
            switch answer.status {
            case 200:
                guard let manifest = try? JSONValue.parse(Data(answer.body)), manifest.objectValue != nil else {
                    throw say("research.manifest-malformed", String(decoding: answer.body.prefix(200), as: UTF8.self))
                }
                return manifest
            case 202:
                guard ContinuousClock.now < end else { throw say("research.export-too-slow", "\(deadline)") }
                let wait = answer.headers.first(name: "Retry-After").flatMap(Double.init).map { min(max($0, 0.05), 10) } ?? 1
                do { try await Task.sleep(for: .seconds(wait)) } catch { throw say("research.export-cancelled", "") }
            default:
                throw say("research.export-failed", Self.outcome(answer))
            }
        }
    }

    /// Every file of the manifest, checked: of a type asked for, at the source's origin, all its lines there.
    func download(
        _ manifest: JSONValue, types: [String], source: Source, to folder: URL, say: (String, String) -> ResearchError
    ) async throws(ResearchError) -> [File] {
        let outputs = try Self.outputs(of: manifest, types: types, base: source.base, say: say)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw say("research.disk", "\(error)")
        }
        var files: [File] = []
        for (index, output) in outputs.enumerated() {
            let path = folder.appendingPathComponent("\(source.id)-\(index)-\(output.type).ndjson")
            let lines = try await save(output.url, source, to: path, say: say)
            if let expected = output.count, expected != lines {
                throw say("research.export-incomplete", "\(output.type): \(lines) / \(expected)")
            }
            files.append(File(type: output.type, path: path, lines: lines))
        }
        return files
    }

    /// A manifest's files, checked: no errors reported, each of a type asked for, at the source's own origin, with a
    /// count that is a whole number when given.
    package static func outputs(
        of manifest: JSONValue, types: [String], base: String, say: (String, String) -> ResearchError
    ) throws(ResearchError) -> [(type: String, url: String, count: Int?)] {
        if let errors = manifest["error"]?.listValue, !errors.isEmpty {
            throw say("research.export-errors", "\(errors.count)")
        }
        guard let outputs = manifest["output"]?.listValue else { throw say("research.manifest-malformed", "output") }
        var found: [(type: String, url: String, count: Int?)] = []
        for (index, output) in outputs.enumerated() {
            guard let type = output["type"]?.stringValue, types.contains(type), let url = output["url"]?.stringValue else {
                throw say("research.manifest-malformed", "output[\(index)]")
            }
            guard sameOrigin(url, base) else { throw say("research.manifest-elsewhere", url) }
            var count: Int?
            if let number = output["count"] {
                guard let value = number.numberValue, value >= 0, value < 1e12, value == value.rounded() else {
                    throw say("research.manifest-malformed", "output[\(index)].count")
                }
                count = Int(value)
            }
            found.append((type, url, count))
        }
        return found
    }

    /// Streams one file to disk, counting its lines.
    func save(
        _ url: String, _ source: Source, to path: URL, say: (String, String) -> ResearchError
    ) async throws(ResearchError)
        -> Int
    {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(source.token)")
        request.headers.add(name: "Accept", value: "application/fhir+ndjson")
        guard FileManager.default.createFile(atPath: path.path, contents: nil),
            let handle = try? FileHandle(forWritingTo: path)
        else { throw say("research.disk", path.path) }
        defer { try? handle.close() }
        var lines = 0
        var bytes = 0
        var last: UInt8 = UInt8(ascii: "\n")
        do {
            let response = try await http.execute(request, timeout: .seconds(600))
            guard response.status == .ok else {
                let body = try await response.body.collect(upTo: 1 << 20)
                throw say(
                    "research.export-failed",
                    Self.outcome(Answer(status: Int(response.status.code), headers: response.headers, body: Array(buffer: body))))
            }
            for try await chunk in response.body {
                bytes += chunk.readableBytes
                guard bytes <= maxFileBytes else { throw say("research.file-too-large", "\(maxFileBytes)") }
                chunk.withUnsafeReadableBytes { raw in
                    for byte in raw where byte == UInt8(ascii: "\n") { lines += 1 }
                    if let end = raw.last { last = end }
                }
                try handle.write(contentsOf: Array(chunk.readableBytesView))
            }
        } catch let error as ResearchError {
            throw error
        } catch {
            throw say("research.export-incomplete", "\(error)")
        }
        if last != UInt8(ascii: "\n") { lines += 1 }
        return lines
    }

    /// What an answer says went wrong: its OperationOutcome's diagnostics, else its status.
    static func outcome(_ answer: Answer) -> String {
        let json = try? JSONValue.parse(Data(answer.body))
        return json?["issue"]?.listValue.first?["diagnostics"]?.stringValue ?? "HTTP \(answer.status)"
    }

    /// Same scheme, host and port.
    package static func sameOrigin(_ url: String, _ base: String) -> Bool {
        guard let a = URLComponents(string: url), let b = URLComponents(string: base), a.scheme != nil, a.host != nil else {
            return false
        }
        return a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased()
            && (a.port ?? -1) == (b.port ?? -1)
    }
}
