import ArgumentParser
import AsyncHTTPClient
import DemoSources
import FHIR
import Federation
import Foundation
import Platform
import Research
import Transport
import Words

/// `sundhedscloud research apply|approve|refuse|projects|ingest|query`: the national analysis platform. A researcher
/// applies and queries, and the data controller decides, at a node, signed in there (`--node`, `--user`), so that
/// the access log has every decision and query; the platform's operator loads a project (`ingest`) on the platform's
/// own machine, with its analysis store and project keys.
struct ResearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "research", abstract: CLI.text("platform-cli.abstract.research"),
        subcommands: [Apply.self, Approve.self, Refuse.self, Projects.self, Ingest.self, Query.self])

    struct Files: ParsableArguments {
        @Option(
            help: ArgumentHelp(CLI.text("platform-cli.help.analysis-store"), valueName: CLI.catalog.text("cli.value.file")))
        var analysisStore: String?

        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.research-keys"), valueName: CLI.catalog.text("cli.value.file")))
        var keys: String?

        func store() throws -> AnalysisStore {
            do {
                return try AnalysisStore(path: analysisStore ?? XDGDirectory.data.path("analysis.sqlite", app: "sundhedscloud"))
            } catch {
                throw CLI.failure(error)
            }
        }

        var projectKeys: ProjectKeys {
            ProjectKeys(path: keys ?? XDGDirectory.data.path("research-keys.json", app: "sundhedscloud"))
        }
    }

    /// Runs `body` with a research error in the user's words.
    static func doing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ResearchError {
            throw CLI.Failure(description: CLI.catalog.text(error.phrase))
        } catch let failure as CLI.Failure {
            throw failure
        } catch {
            throw CLI.failure(error)
        }
    }

    /// Where the node is and who signs in there (a demo user of its identity provider).
    struct Node: ParsableArguments {
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.research-node"), valueName: "URL"))
        var node = "https://127.0.0.1:8080"

        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.research-user")))
        var user: String?

        @Option(
            name: .customLong("node-ca"),
            help: ArgumentHelp(CLI.text("platform-cli.help.research-node-ca"), valueName: CLI.catalog.text("cli.value.file")))
        var nodeCA: String?

        /// `POST` (or `GET` without a body) to the node as `user` (or `fallback`), the answer's JSON; a refusal in the
        /// node's words.
        func call(_ path: String, _ body: JSONValue?, as fallback: String) async throws -> JSONValue {
            let http = try ResearchCommand.client(cas: [nodeCA ?? ResearchCommand.demoFile("ca.pem")].compactMap { $0 })
            defer { Task { try? await http.shutdown() } }
            let base = node.hasSuffix("/") ? String(node.dropLast()) : node
            var request = HTTPClientRequest(url: base + path)
            if let body {
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                request.body = .bytes(body.serialized())
                let login = GatewayLogin(gatewayURL: base, demoUser: user ?? fallback, http: http)
                do {
                    request.headers.add(name: "Authorization", value: "Bearer \(try await login.token())")
                } catch {
                    throw CLI.failure(error)
                }
            }
            let json: JSONValue
            let status: UInt
            do {
                let response = try await http.execute(request, timeout: .seconds(60))
                status = response.status.code
                json = try JSONValue.parse(Data(try await response.body.collect(upTo: 16 << 20).readableBytesView))
            } catch {
                throw CLI.failure("platform-cli.error.research-node", ["node": .text(base), "error": .text(CLI.words(error))])
            }
            guard (200..<300).contains(status) else {
                let issue = json["issue"]?.listValue.first
                let words =
                    CLI.language == .en
                    ? issue?["details"]?["text"]?.stringValue ?? issue?["diagnostics"]?.stringValue
                    : issue?["diagnostics"]?.stringValue
                throw CLI.Failure(description: TextSanitizer.cleanLine(words ?? "HTTP \(status)", maxLength: 500))
            }
            return json
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("platform-cli.abstract.research-apply"))
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.project-id"))) var id: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.project-title"))) var title: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.project-purpose"))) var purpose: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.project-legal-basis"))) var legalBasis: String
        @Option(name: .customLong("type"), help: ArgumentHelp(CLI.text("platform-cli.help.project-type")))
        var types: [String] = []
        @Option(name: .customLong("code"), help: ArgumentHelp(CLI.text("platform-cli.help.project-code")))
        var codes: [String] = []
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.project-from"))) var from: String?
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.project-to"))) var to: String?
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.project-min-age"))) var minAge: Int?
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.project-max-age"))) var maxAge: Int?
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.project-dates"))) var dates = "month"
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.project-ages"))) var ages = "5-years"
        @OptionGroup var node: Node
        @OptionGroup var languageOption: LanguageOption

        func run() async throws {
            var byType: [String: [String]] = [:]
            for code in codes {
                let parts = code.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw CLI.refusal("platform-cli.error.project-code", ["code": .text(code)]) }
                byType[parts[0], default: []].append(parts[1])
            }
            guard let dates = DataRequest.DateGranularity(rawValue: dates), let ages = DataRequest.AgeGranularity(rawValue: ages)
            else { throw CLI.refusal("platform-cli.error.project-granularity") }
            let data = DataRequest(
                types: types, codes: byType, from: from, to: to, minAge: minAge, maxAge: maxAge, dates: dates, ages: ages)
            let application: JSONValue = .object([
                "id": .string(id), "title": .string(title), "purpose": .string(purpose), "legalBasis": .string(legalBasis),
                "data": try JSONValue.parse(JSONEncoder().encode(data)),
            ])
            _ = try await node.call("/research/projects", application, as: "forsker")
            print(CLI.text("platform-cli.research.applied", ["id": .text(id)]))
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("platform-cli.abstract.research-approve"))
        @Argument(help: ArgumentHelp(CLI.text("platform-cli.help.project-id"))) var id: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.reason"))) var reason: String?
        @OptionGroup var node: Node
        @OptionGroup var languageOption: LanguageOption

        func run() async throws {
            let body: JSONValue = .object(reason.map { ["reason": .string($0)] } ?? [:])
            _ = try await node.call("/research/projects/\(ResearchCommand.path(id))/$approve", body, as: "dataansvarlig")
            print(CLI.text("platform-cli.research.approved", ["id": .text(id)]))
        }
    }

    struct Refuse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("platform-cli.abstract.research-refuse"))
        @Argument(help: ArgumentHelp(CLI.text("platform-cli.help.project-id"))) var id: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.reason"))) var reason: String
        @OptionGroup var node: Node
        @OptionGroup var languageOption: LanguageOption

        func run() async throws {
            _ = try await node.call(
                "/research/projects/\(ResearchCommand.path(id))/$refuse", .object(["reason": .string(reason)]),
                as: "dataansvarlig")
            print(CLI.text("platform-cli.research.refused", ["id": .text(id)]))
        }
    }

    struct Projects: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("platform-cli.abstract.research-projects"))
        @OptionGroup var node: Node
        @OptionGroup var languageOption: LanguageOption

        func run() async throws {
            print(try await node.call("/research/projects", nil, as: "-").serializedString())
        }
    }

    struct Ingest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("platform-cli.abstract.research-ingest"))
        @Argument(help: ArgumentHelp(CLI.text("platform-cli.help.project-id"))) var id: String
        @Option(
            help: ArgumentHelp(CLI.text("platform-cli.help.export-credentials"), valueName: CLI.catalog.text("cli.value.file")))
        var credentials: String?
        @Option(name: .customLong("source"), help: ArgumentHelp(CLI.text("platform-cli.help.research-source")))
        var sources: [String] = []
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.research-ca"), valueName: CLI.catalog.text("cli.value.file")))
        var ca: String?
        @OptionGroup var files: Files
        @OptionGroup var languageOption: LanguageOption

        func run() async throws {
            let path = credentials ?? Serve.exportCredentialsFile
            struct Credentials: Decodable {
                struct Source: Decodable {
                    var id: String
                    var fhir: String
                    var secret: String
                    var kind: String?
                }
                var sources: [Source]
            }
            guard let data = FileManager.default.contents(atPath: path),
                let known = try? JSONDecoder().decode(Credentials.self, from: data)
            else { throw CLI.failure("platform-cli.error.no-export-credentials", ["path": .text(path)]) }
            // Every source but the citizens' choices unless named; the choices are always read (who opted out).
            let wanted = sources.isEmpty ? known.sources.filter { $0.kind != "preferences" }.map(\.id) : sources
            let preferences = known.sources.filter { $0.kind == "preferences" }.map {
                BulkDataClient.Source(id: $0.id, base: $0.fhir, token: $0.secret)
            }
            let chosen = try wanted.map { id in
                guard let source = known.sources.first(where: { $0.id == id }) else {
                    throw CLI.failure(
                        "platform-cli.error.no-research-source",
                        ["source": .text(id), "known": .text(known.sources.map(\.id).joined(separator: ", "))])
                }
                return BulkDataClient.Source(id: source.id, base: source.fhir, token: source.secret)
            }
            // The demo's CA and client certificate (its sources ask for one, as a health network would), when there.
            let http = try ResearchCommand.client(
                cas: [ca ?? ResearchCommand.demoFile("ca.pem")].compactMap { $0 },
                certificate: ResearchCommand.demoFile("gateway.pem"), key: ResearchCommand.demoFile("gateway-key.pem"))
            defer { Task { try? await http.shutdown() } }
            let store = try files.store()
            let scratch = URL(fileURLWithPath: store.path).deletingLastPathComponent()
            let started = Date()
            let report = try await ResearchCommand.doing {
                try await Research.Ingest(store: store, client: BulkDataClient(http: http), scratch: scratch).run(
                    approved: try store.project(id), keys: files.projectKeys, sources: chosen, preferences: preferences)
            }
            print(
                CLI.text(
                    "platform-cli.research.ingested",
                    [
                        "id": .text(id), "persons": .integer(report.persons), "facts": .integer(report.facts),
                        "read": .integer(report.read), "optedOut": .integer(report.optedOut),
                        "outside": .integer(report.outsidePopulation + report.outsideApproval),
                        "seconds": .integer(Int(Date().timeIntervalSince(started).rounded())),
                    ]))
        }
    }

    struct Query: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("platform-cli.abstract.research-query"))
        @Argument(help: ArgumentHelp(CLI.text("platform-cli.help.project-id"))) var id: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.measure"))) var measure = "count"
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.of"))) var of: String?
        @Option(name: .customLong("population"), help: ArgumentHelp(CLI.text("platform-cli.help.population")))
        var population: [String] = []
        @Option(name: .customLong("by"), help: ArgumentHelp(CLI.text("platform-cli.help.by"))) var by: [String] = []
        @Flag(help: ArgumentHelp(CLI.text("platform-cli.help.json"))) var json = false
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.research-save"))) var save: String?
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.research-package"))) var package: String?
        @OptionGroup var node: Node
        @OptionGroup var languageOption: LanguageOption

        static func fact(_ text: String) throws -> StatisticsQuery.Fact {
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw CLI.refusal("platform-cli.error.research-fact", ["fact": .text(text)]) }
            return StatisticsQuery.Fact(parts[0], parts[1])
        }

        func run() async throws {
            guard let measure = StatisticsQuery.Measure(rawValue: measure) else {
                throw CLI.refusal("platform-cli.error.research-measure", ["measure": .text(measure)])
            }
            let dimensions = try by.map { name in
                guard let dimension = StatisticsQuery.Dimension(rawValue: name) else {
                    throw CLI.refusal("platform-cli.error.research-by", ["by": .text(name)])
                }
                return dimension
            }
            let query = StatisticsQuery(
                measure: measure, of: try of.map(Self.fact), population: try population.map(Self.fact), by: dimensions)
            let body = try JSONValue.parse(JSONEncoder().encode(query))
            let project = "/research/projects/\(ResearchCommand.path(id))"
            let reply: JSONValue
            if let package {
                reply = try await node.call(
                    "\(project)/packages/\(ResearchCommand.path(package))/$run", .object([:]), as: "forsker")
            } else if let save {
                reply = try await node.call(
                    "\(project)/packages", .object(["name": .string(save), "query": body]), as: "forsker")
            } else {
                reply = try await node.call("\(project)/$query", body, as: "forsker")
            }
            let answer = try JSONDecoder().decode(StatisticsAnswer.self, from: Data(reply.serialized()))
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(answer), as: UTF8.self))
                return
            }
            let hidden = CLI.text("platform-cli.research.redacted")
            for cell in answer.cells {
                let group = cell.group.isEmpty ? CLI.text("platform-cli.research.all") : cell.group.joined(separator: "  ")
                let count = cell.count.map(String.init) ?? hidden
                let value = cell.value.map { "  \($0)" } ?? ""
                print("\(group)  \(count)\(cell.count == nil ? "" : value)")
            }
            print(CLI.text("platform-cli.research.total", ["total": .text(answer.total.map(String.init) ?? hidden)]))
            print(answer.rules)
        }
    }
}

extension ResearchCommand {
    /// A file of the demo's throwaway PKI (`serve --demo` leaves it in the state directory), when there.
    static func demoFile(_ name: String) -> String? {
        let path = XDGDirectory.state.path("demo-tls/\(name)", app: "sundhedscloud")
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// An HTTP client trusting `cas` (and the system's), showing the client certificate when one is given.
    static func client(cas: [String], certificate: String? = nil, key: String? = nil) throws -> HTTPClient {
        let trust: ClientTLS
        do {
            trust = try ClientTLS.load(cas: cas, certificate: certificate, key: key)
        } catch {
            throw CLI.failure(error)
        }
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = trust.configuration
        // Idle connections let go before a server's idle timeout closes them under a request.
        configuration.connectionPool.idleTimeout = HTTPClient.clientIdleTimeout
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// A project id as a path segment (ids are `a-z 0-9 -`; anything else is escaped, and the node refuses it).
    static func path(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-"))) ?? id
    }
}
