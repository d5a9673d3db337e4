import FHIR
import Foundation
import Hummingbird
import NIOCore
import Platform
import Words

// ResearchService: the analysis platform's routes for its users, each with a token from the identity provider:
// - `POST /research/projects`: a researcher applies (title, purpose, legal basis, the data: `DataRequest`);
// - `POST /research/projects/{id}/$approve` and `$refuse` (with `reason`): the data controller decides, and an
//   approval makes the project's pseudonym key;
// - `POST /research/projects/{id}/$query` (a `StatisticsQuery`): the project's own researcher asks, and gets the
//   answer after disclosure control;
// - `POST /research/projects/{id}/packages` (`name`, `query`): the same, and the query is kept as a data package;
//   `POST /research/projects/{id}/packages/{name}/$run` asks it again.
// Every decision and every query, answered or refused, is in the access log before the answer leaves.

extension ResearchService {
    func addUserRoutes(to router: Router<PlatformRequestContext>) {
        router.post("/research/projects") { request, context in
            await NodeResponse.answer {
                let (identity, _) = try await self.caller(request, context, role: .researcher)
                struct Application: Decodable {
                    var id: String
                    var title: String
                    var purpose: String
                    var legalBasis: String
                    var data: DataRequest
                }
                let application: Application = try await Self.decode(request)
                var project = ResearchProject(
                    id: application.id, title: application.title, purpose: application.purpose,
                    legalBasis: application.legalBasis, organization: identity.organization?.name ?? identity.name,
                    applicant: identity.name, data: application.data)
                project.owner = identity.id
                try Self.researching { try self.store.apply(project) }
                return NodeResponse.json(
                    try Self.json(try Self.researching { try self.store.project(project.id) }), status: .created)
            }
        }
        for (name, approve) in [("$approve", true), ("$refuse", false)] {
            router.post(RouterPath(stringLiteral: "/research/projects/:id/\(name)")) { request, context in
                await NodeResponse.answer {
                    let (identity, client) = try await self.caller(request, context, role: .dataController)
                    let id = context.parameters.get("id") ?? ""
                    struct Decision: Decodable { var reason: String? }
                    let decision: Decision = try await Self.decode(request, empty: Decision(reason: nil))
                    let project = try Self.researching { try self.store.project(id) }
                    let action = approve ? "research-approve" : "research-refuse"
                    let decided: ResearchProject
                    do throws(ResearchError) {
                        decided = try self.store.decide(
                            id, approve: approve, by: "\(identity.name), \(identity.organization?.name ?? "-")",
                            reason: decision.reason)
                        if approve { try self.keys.make(for: id) }
                    } catch {
                        try await self.gateway.logResearch(
                            identity, client: client, project: id, types: project.data.types, action: action,
                            refusal: Self.code(error))
                        throw Self.platformError(error)
                    }
                    try await self.gateway.logResearch(
                        identity, client: client, project: id, types: project.data.types, action: action)
                    return NodeResponse.json(try Self.json(decided))
                }
            }
        }
        router.post("/research/projects/:id/$query") { request, context in
            await NodeResponse.answer {
                let (identity, client, id) = try await self.owner(request, context)
                let query: StatisticsQuery = try await Self.decode(request)
                return try await self.ask(query, project: id, identity, client)
            }
        }
        // A data package: a query saved by name once answered, and asked again by its name.
        router.post("/research/projects/:id/packages") { request, context in
            await NodeResponse.answer {
                let (identity, client, id) = try await self.owner(request, context)
                struct Package: Decodable {
                    var name: String
                    var query: StatisticsQuery
                }
                let package: Package = try await Self.decode(request)
                try Self.researching { try AnalysisStore.checkPackageName(package.name) }
                let answer = try await self.ask(package.query, project: id, identity, client)
                try Self.researching { try self.store.save(package.query, as: package.name, project: id) }
                return answer
            }
        }
        router.post("/research/projects/:id/packages/:name/$run") { request, context in
            await NodeResponse.answer {
                let (identity, client, id) = try await self.owner(request, context)
                let name = context.parameters.get("name") ?? ""
                let query = try Self.researching { try self.store.package(name, project: id) }
                return try await self.ask(query, project: id, identity, client)
            }
        }
    }

    /// The signed-in researcher who owns the project of the route's `id`.
    func owner(
        _ request: Request, _ context: PlatformRequestContext
    ) async throws -> (Identity, String?, String) {
        let (identity, client) = try await caller(request, context, role: .researcher)
        let id = context.parameters.get("id") ?? ""
        let project = try Self.researching { try self.store.project(id) }
        guard project.owner == identity.id else {
            throw PlatformError(status: 403, code: "forbidden", Phrase("research.not-owner", ["id": .text(id)]))
        }
        return (identity, client, id)
    }

    /// Asks the project's query and logs it, answered or refused, before the answer leaves.
    func ask(_ query: StatisticsQuery, project id: String, _ identity: Identity, _ client: String?) async throws -> Response {
        let types = (query.population + [query.of].compactMap { $0 }).compactMap { StatisticsQuery.typeOfKind[$0.kind] }
        let answer: StatisticsAnswer
        do throws(ResearchError) {
            answer = try store.ask(query, project: id)
        } catch {
            // A refused query is in the log too (asking for what one may not have is worth knowing).
            try await gateway.logResearch(
                identity, client: client, project: id, types: types, action: "research-query", refusal: Self.code(error))
            throw Self.platformError(error)
        }
        try await gateway.logResearch(identity, client: client, project: id, types: types, action: "research-query")
        return NodeResponse.json(try JSONValue.parse(JSONEncoder().encode(answer)))
    }

    /// The signed-in user, admitted by the rate limits, in `role`; and the client the limits count.
    func caller(
        _ request: Request, _ context: PlatformRequestContext, role: Identity.Role
    ) async throws -> (Identity, String?) {
        let identity = try await gateway.authenticate(request.headers[.authorization])
        let client = GatewayRoutes.client(gateway, request, context)
        try gateway.admit(user: identity.id, client: client)
        guard identity.role == role, identity.app == nil else {
            throw PlatformError(
                status: 403, code: "forbidden",
                Phrase(role == .researcher ? "research.researchers-only" : "research.controllers-only"))
        }
        return (identity, client)
    }

    /// A JSON body of at most 64 KiB as `T` (`empty` when there is none), or a 400 in words.
    static func decode<T: Decodable>(_ request: Request, empty: T? = nil) async throws -> T {
        var request = request
        let body = try await request.collectBody(upTo: 64 << 10)
        if body.readableBytes == 0, let empty { return empty }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: body))
        } catch {
            throw PlatformError(
                status: 400, code: "invalid",
                Phrase(
                    "research.bad-body", ["detail": .text(TextSanitizer.cleanLine(AnyResource.describe(error), maxLength: 200))]))
        }
    }

    static func json(_ project: ResearchProject) throws -> JSONValue {
        try JSONValue.parse(AnalysisStore.encoder.encode(project))
    }

    /// The analysis store's work, its refusals as HTTP answers.
    static func researching<T>(_ work: () throws -> T) throws -> T {
        do { return try work() } catch let error as ResearchError { throw platformError(error) }
    }

    /// A refusal's code for the log: `differencing`, `not-approved`, ...
    static func code(_ error: ResearchError) -> String {
        error.phrase.id.replacingOccurrences(of: "research.", with: "")
    }

    static func platformError(_ error: ResearchError) -> PlatformError {
        let id = code(error)
        let (status, code): (Int, String) =
            switch id {
            case "no-project", "no-package": (404, "not-found")
            case "not-approved", "query-outside-approval": (403, "forbidden")
            case "project-exists", "already-decided": (409, "conflict")
            case "differencing": (422, "processing")
            case "store-failed", "keys-unreadable", "keys-unwritable", "key-missing": (503, "transient")
            default: (400, "invalid")
            }
        return PlatformError(status: status, code: code, error.phrase)
    }
}
