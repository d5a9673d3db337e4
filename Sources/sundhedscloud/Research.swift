import ArgumentParser
import AsyncHTTPClient
import DemoSources
import FHIR
import Federation
import Foundation
import Research
import Transport
import Words

/// `sundhedscloud research apply|approve|refuse|projects|ingest|query`: the national analysis platform on this
/// machine's analysis store (apart from the platform's storage) and the platform's project keys.
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

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("platform-cli.abstract.research-apply"))
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.project-id"))) var id: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.project-title"))) var title: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.project-purpose"))) var purpose: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.project-legal-basis"))) var legalBasis: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.project-organization"))) var organization: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.project-applicant"))) var applicant: String
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
        @OptionGroup var files: Files
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
            let project = ResearchProject(
                id: id, title: title, purpose: purpose, legalBasis: legalBasis, organization: organization,
                applicant: applicant,
                data: DataRequest(
                    types: types, codes: byType, from: from, to: to, minAge: minAge, maxAge: maxAge, dates: dates, ages: ages))
            let store = try files.store()
            try await ResearchCommand.doing { try store.apply(project) }
            print(CLI.text("platform-cli.research.applied", ["id": .text(id)]))
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("platform-cli.abstract.research-approve"))
        @Argument(help: ArgumentHelp(CLI.text("platform-cli.help.project-id"))) var id: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.controller"))) var by: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.reason"))) var reason: String?
        @OptionGroup var files: Files
        @OptionGroup var languageOption: LanguageOption

        func run() async throws {
            let store = try files.store()
            try await ResearchCommand.doing {
                try store.decide(id, approve: true, by: by, reason: reason)
                // The project's pseudonym key, held by the platform only.
                try files.projectKeys.make(for: id)
            }
            print(CLI.text("platform-cli.research.approved", ["id": .text(id)]))
        }
    }

    struct Refuse: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("platform-cli.abstract.research-refuse"))
        @Argument(help: ArgumentHelp(CLI.text("platform-cli.help.project-id"))) var id: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.controller"))) var by: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.reason"))) var reason: String
        @OptionGroup var files: Files
        @OptionGroup var languageOption: LanguageOption

        func run() async throws {
            let store = try files.store()
            _ = try await ResearchCommand.doing { try store.decide(id, approve: false, by: by, reason: reason) }
            print(CLI.text("platform-cli.research.refused", ["id": .text(id)]))
        }
    }

    struct Projects: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("platform-cli.abstract.research-projects"))
        @OptionGroup var files: Files
        @OptionGroup var languageOption: LanguageOption

        func run() async throws {
            let store = try files.store()
            let listing = try await ResearchCommand.doing { try store.publicListing() }
            print(listing.serializedString())
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
            func demo(_ name: String) -> String? {
                let path = XDGDirectory.state.path("demo-tls/\(name)", app: "sundhedscloud")
                return FileManager.default.fileExists(atPath: path) ? path : nil
            }
            let trust: ClientTLS
            do {
                trust = try ClientTLS.load(
                    cas: [ca ?? demo("ca.pem")].compactMap { $0 }, certificate: demo("gateway.pem"), key: demo("gateway-key.pem"))
            } catch {
                throw CLI.failure(error)
            }
            var configuration = HTTPClient.Configuration()
            configuration.tlsConfiguration = trust.configuration
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
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
        @OptionGroup var files: Files
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
            let store = try files.store()
            let answer = try await ResearchCommand.doing { try store.ask(query, project: id) }
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
