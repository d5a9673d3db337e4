import FHIR
import Foundation
import GRDB

/// A research project's application and its decision: who applies (title, purpose, legal basis, organisation), for
/// which data (`DataRequest`), and what the data controller (`dataansvarlig`) decided, when and why. Only an
/// approved project is loaded or answered, and only with the data approved.
public struct ResearchProject: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, CaseIterable { case applied, approved, refused }

    public var id: String
    public var title: String
    public var purpose: String
    public var legalBasis: String
    public var organization: String
    public var applicant: String
    /// The applicant's user id (who may ask the project's queries), when the application came through a node.
    public var owner: String?
    public var data: DataRequest
    public var status: Status
    public var applied: Date
    public var decided: Date?
    public var decidedBy: String?
    public var reason: String?

    public init(
        id: String, title: String, purpose: String, legalBasis: String, organization: String, applicant: String,
        data: DataRequest, applied: Date = Date()
    ) {
        self.id = id
        self.title = title
        self.purpose = purpose
        self.legalBasis = legalBasis
        self.organization = organization
        self.applicant = applicant
        self.data = data
        self.status = .applied
        self.applied = applied
    }

    /// The application as it may be stored: an id of 3 to 40 of `a-z 0-9 -`, every text present, one line, at most
    /// 500 characters, and a valid data request.
    public func validated() throws(ResearchError) -> ResearchProject {
        guard (3...40).contains(id.count),
            id.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" })
        else { throw ResearchError("research.bad-project-id", ["id": .text(String(id.prefix(40)))]) }
        var clean = self
        for (name, keyPath) in [
            ("title", \ResearchProject.title), ("purpose", \.purpose), ("legal-basis", \.legalBasis),
            ("organization", \.organization), ("applicant", \.applicant),
        ] as [(String, WritableKeyPath<ResearchProject, String>)] {
            let text = TextSanitizer.cleanLine(self[keyPath: keyPath], maxLength: 500)
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ResearchError("research.field-missing", ["field": .text(name)])
            }
            clean[keyPath: keyPath] = text
        }
        clean.data = try data.validated()
        return clean
    }
}

extension AnalysisStore {
    static let projectMigration = """
        CREATE TABLE project (id TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID;
        """

    /// Files an application; refused when the id is taken or the application is not complete.
    public func apply(_ project: ResearchProject) throws(ResearchError) {
        let project = try project.validated()
        do {
            let json = String(decoding: try Self.encoder.encode(project), as: UTF8.self)
            try pool.write { db in
                guard try Int.fetchOne(db, sql: "SELECT 1 FROM project WHERE id = ?", arguments: [project.id]) == nil else {
                    throw ResearchError("research.project-exists", ["id": .text(project.id)])
                }
                try db.execute(sql: "INSERT INTO project (id, json) VALUES (?, ?)", arguments: [project.id, json])
            }
        } catch let error as ResearchError {
            throw error
        } catch {
            throw ResearchError("research.store-failed", ["detail": .text("\(error)")])
        }
    }

    /// The data controller's decision on an application (a refusal needs its reason); a decided project stays decided.
    @discardableResult
    public func decide(
        _ id: String, approve: Bool, by controller: String, reason: String?, at time: Date = Date()
    ) throws(ResearchError) -> ResearchProject {
        var project = try project(id)
        guard project.status == .applied else {
            throw ResearchError("research.already-decided", ["id": .text(id), "status": .text(project.status.rawValue)])
        }
        let reason = reason.map { TextSanitizer.cleanLine($0, maxLength: 500).trimmingCharacters(in: .whitespaces) }
            .flatMap { $0.isEmpty ? nil : $0 }
        if !approve, reason == nil { throw ResearchError("research.reason-missing") }
        project.status = approve ? .approved : .refused
        project.decided = time
        project.decidedBy = TextSanitizer.cleanLine(controller, maxLength: 200)
        project.reason = reason
        do {
            let json = String(decoding: try Self.encoder.encode(project), as: UTF8.self)
            try pool.write { try $0.execute(sql: "UPDATE project SET json = ? WHERE id = ?", arguments: [json, id]) }
        } catch {
            throw ResearchError("research.store-failed", ["detail": .text("\(error)")])
        }
        return project
    }

    public func project(_ id: String) throws(ResearchError) -> ResearchProject {
        let json: String?
        do {
            json = try pool.read { try String.fetchOne($0, sql: "SELECT json FROM project WHERE id = ?", arguments: [id]) }
        } catch {
            throw ResearchError("research.store-failed", ["detail": .text("\(error)")])
        }
        guard let json, let project = try? Self.decoder.decode(ResearchProject.self, from: Data(json.utf8)) else {
            throw ResearchError("research.no-project", ["id": .text(String(id.prefix(40)))])
        }
        return project
    }

    public func projects() throws(ResearchError) -> [ResearchProject] {
        do {
            return try pool.read { db in
                try String.fetchAll(db, sql: "SELECT json FROM project ORDER BY id").compactMap {
                    try? Self.decoder.decode(ResearchProject.self, from: Data($0.utf8))
                }
            }
        } catch {
            throw ResearchError("research.store-failed", ["detail": .text("\(error)")])
        }
    }

    /// Answers a query of an approved project, within its approval.
    public func ask(_ query: StatisticsQuery, project id: String) throws(ResearchError) -> StatisticsAnswer {
        let project = try project(id)
        guard project.status == .approved else {
            throw ResearchError("research.not-approved", ["id": .text(id), "status": .text(project.status.rawValue)])
        }
        return try answer(query, project: id, approved: project.data)
    }

    /// What anyone may see (`GET /research/projects`): every project, its owner, purpose, legal basis, the data it
    /// applied for, its status, when it was approved, and how many queries it has run.
    public func publicListing() throws(ResearchError) -> JSONValue {
        var items: [JSONValue] = []
        for project in try projects() {
            let queries = (try? queryCount(project.id)) ?? 0
            var item: JSONObject = [
                "id": .string(project.id), "title": .string(project.title), "purpose": .string(project.purpose),
                "legal_basis": .string(project.legalBasis), "organization": .string(project.organization),
                "status": .string(project.status.rawValue),
                "applied": .string(FHIRDateTime(date: project.applied, precision: .second).text),
                "queries": .number(Double(queries)),
            ]
            if let data = try? JSONValue.parse(Self.encoder.encode(project.data)) { item["data"] = data }
            let packages = ((try? packages(project.id)) ?? []).map { package -> JSONValue in
                .object([
                    "name": .string(package.name),
                    "query": (try? JSONValue.parse(Self.encoder.encode(package.query))) ?? .null,
                ])
            }
            if !packages.isEmpty { item["packages"] = .array(packages) }
            if let decided = project.decided {
                item[project.status == .approved ? "approved" : "decided"] = .string(
                    FHIRDateTime(date: decided, precision: .second).text)
            }
            if project.status == .refused, let reason = project.reason { item["reason"] = .string(reason) }
            items.append(.object(item))
        }
        return .object(["projects": .array(items)])
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
