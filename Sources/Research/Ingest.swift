import FHIR
import Foundation
import Words

/// An ingest for one approved project: every source exported through Bulk Data (only the types it has, among those
/// approved), all files on disk first, then pseudonymised and loaded in one transaction. A source that fails, a
/// malformed line or a missing key stops it with words, and the project's data stays as it was.
public struct Ingest: Sendable {
    public let store: AnalysisStore
    public let client: BulkDataClient
    /// Where the files wait between download and load (removed afterwards).
    public let scratch: URL

    public init(store: AnalysisStore, client: BulkDataClient, scratch: URL) {
        self.store = store
        self.client = client
        self.scratch = scratch
    }

    /// Loads an approved project with its own key (from the platform's key file) and nothing but its approved data.
    public func run(
        approved project: ResearchProject, keys: ProjectKeys, sources: [BulkDataClient.Source], optedOut: Set<String>
    ) async throws(ResearchError) -> IngestReport {
        guard project.status == .approved else {
            throw ResearchError("research.not-approved", ["id": .text(project.id), "status": .text(project.status.rawValue)])
        }
        return try await run(
            project: project.id, request: project.data, key: try keys.key(for: project.id), sources: sources,
            optedOut: optedOut)
    }

    public func run(
        project: String, request: DataRequest, key: ProjectKey, sources: [BulkDataClient.Source],
        optedOut: Set<String>
    ) async throws(ResearchError) -> IngestReport {
        let folder = scratch.appendingPathComponent("ingest-\(project.prefix(40))-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        var exported: [(source: String, files: [BulkDataClient.File])] = []
        for source in sources {
            let offered = try await client.types(at: source)
            let types = ["Patient"] + request.types.filter(offered.contains)
            exported.append((source.id, try await client.export(source, types: types, to: folder)))
        }
        var extractor = Extractor(request: request, key: key, optedOut: optedOut)
        do {
            try store.replace(project: project) { person, fact in
                for (source, files) in exported {
                    extractor.nextSource()
                    // Persons first: the facts name them by the source's own ids.
                    for file in files.filter({ $0.type == "Patient" }) + files.filter({ $0.type != "Patient" }) {
                        try Self.lines(file.path) { number, line in
                            guard let json = try? JSONValue.parse(Data(line)), json["resourceType"]?.stringValue == file.type
                            else {
                                throw ResearchError(
                                    "research.bad-line",
                                    ["source": .text(source), "type": .text(file.type), "line": .integer(number)])
                            }
                            if file.type == "Patient" {
                                if let row = extractor.patient(json) { try person(row) }
                            } else if let row = extractor.fact(json, type: file.type) {
                                try fact(row)
                            }
                        }
                    }
                }
            }
        } catch let error as ResearchError {
            throw error
        } catch {
            throw ResearchError("research.store-failed", ["detail": .text("\(error)")])
        }
        return extractor.report
    }
}

extension BulkDataClient {
    /// The resource types a source serves, from its CapabilityStatement.
    func types(at source: Source) async throws(ResearchError) -> Set<String> {
        let say = { (id: String, detail: String) in
            ResearchError(id, ["source": .text(source.id), "detail": .text(TextSanitizer.cleanLine(detail, maxLength: 300))])
        }
        let answer = try await send("\(source.base)/metadata", source, say: say)
        guard answer.status == 200, let json = try? JSONValue.parse(Data(answer.body)) else {
            throw say("research.export-refused", Self.outcome(answer))
        }
        let resources = (json["rest"]?.listValue ?? []).flatMap { $0["resource"]?.listValue ?? [] }
        return Set(resources.compactMap { $0["type"]?.stringValue })
    }
}

extension Ingest {
    /// A downloaded file's lines; one that cannot be read is said in words.
    static func lines(_ path: URL, _ body: (Int, ArraySlice<UInt8>) throws -> Void) throws {
        guard FileManager.default.isReadableFile(atPath: path.path) else {
            throw ResearchError("research.disk", ["source": .text("-"), "detail": .text(path.path)])
        }
        try NDJSONLines.read(path, body)
    }
}
