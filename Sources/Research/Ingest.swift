import FHIR
import Foundation
import Platform
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
    /// The citizens' opt-outs of secondary use are read from `preferences` first (a preferences source that cannot be
    /// exported stops the load: nobody is loaded without knowing whether they opted out), with `optedOut` beside.
    public func run(
        approved project: ResearchProject, keys: ProjectKeys, sources: [BulkDataClient.Source],
        preferences: [BulkDataClient.Source] = [], optedOut: Set<String> = []
    ) async throws(ResearchError) -> IngestReport {
        guard project.status == .approved else {
            throw ResearchError("research.not-approved", ["id": .text(project.id), "status": .text(project.status.rawValue)])
        }
        return try await run(
            project: project.id, request: project.data, key: try keys.key(for: project.id), sources: sources,
            preferences: preferences, optedOut: optedOut)
    }

    public func run(
        project: String, request: DataRequest, key: ProjectKey, sources: [BulkDataClient.Source],
        preferences: [BulkDataClient.Source] = [], optedOut: Set<String> = []
    ) async throws(ResearchError) -> IngestReport {
        let folder = scratch.appendingPathComponent("ingest-\(project.prefix(40))-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Whoever opts out after this instant is removed as the event arrives, and left out of this load as well.
        let choices = Date()
        var optedOut = optedOut
        for source in preferences {
            optedOut.formUnion(try await client.optOuts(source, to: folder.appendingPathComponent("choices-\(source.id)")))
        }
        var exported: [(source: String, files: [BulkDataClient.File])] = []
        for source in sources {
            let offered = try await client.types(at: source)
            let types = ["Patient"] + request.types.filter(offered.contains)
            exported.append((source.id, try await client.export(source, types: types, to: folder)))
        }
        var extractor = Extractor(request: request, key: key, optedOut: optedOut)
        do {
            let loaded = try store.replace(project: project, choices: choices) { person, fact in
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
            // What the store holds: a person several sources know is one person, and whoever opted out during the
            // load is not among them.
            extractor.report.persons = loaded.persons
            extractor.report.facts = loaded.facts
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

extension BulkDataClient {
    /// The CPR numbers of the citizens who opted out of secondary use at a preferences source (its Patients and
    /// Consents, exported), read as `ResearchOptOut` says.
    func optOuts(_ source: Source, to folder: URL) async throws(ResearchError) -> Set<String> {
        let files = try await export(source, types: ["Patient", "Consent"], to: folder)
        var cprs: [String: String] = [:]
        var consents: [String: [JSONValue]] = [:]
        do {
            for file in files {
                try Ingest.lines(file.path) { number, line in
                    guard let json = try? JSONValue.parse(Data(line)), json["resourceType"]?.stringValue == file.type,
                        let id = json["id"]?.stringValue
                    else {
                        throw ResearchError(
                            "research.bad-line", ["source": .text(source.id), "type": .text(file.type), "line": .integer(number)])
                    }
                    if file.type == "Patient" {
                        if let cpr = EventClassifier.cpr(of: json) { cprs[id] = cpr }
                    } else if let reference = json["patient"]?["reference"]?.stringValue, reference.hasPrefix("Patient/") {
                        consents[String(reference.dropFirst("Patient/".count)), default: []].append(json)
                    }
                }
            }
        } catch let error as ResearchError {
            throw error
        } catch {
            throw ResearchError("research.disk", ["source": .text(source.id), "detail": .text("\(error)")])
        }
        return Set(consents.filter { ResearchOptOut.optedOut($0.value) }.compactMap { cprs[$0.key] })
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
