import ArgumentParser
import DemoSources
import FHIR
import Federation
import Foundation
import OverblikApp
import Words

struct OverviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overview",
        abstract: CLI.text("cli.abstract.overview"),
        discussion: CLI.text("cli.discussion.overview"))

    @Argument(help: ArgumentHelp(CLI.text("cli.help.cpr")))
    var cpr: String

    @OptionGroup var sourceOptions: SourceOptions

    @Flag(help: ArgumentHelp(CLI.text("cli.help.json")))
    var json = false

    @Flag(help: ArgumentHelp(CLI.text("cli.help.plain-overview")))
    var plain = false

    @OptionGroup var languageOption: LanguageOption

    @Flag(help: ArgumentHelp(CLI.text("cli.help.refresh")))
    var refresh = false

    @Flag(help: ArgumentHelp(CLI.text("cli.help.no-cache")))
    var noCache = false

    @Option(help: ArgumentHelp(CLI.text("cli.help.limit")))
    var limit = 10

    @Flag(help: ArgumentHelp(CLI.text("cli.help.all")))
    var all = false

    func validate() throws {
        if json, plain { throw ValidationError(CLI.text("cli.error.json-or-plain")) }
        do {
            _ = try CPRNumber(cpr)
        } catch {
            throw ValidationError(CLI.strings.cprProblem(error))
        }
    }

    func run() async throws {
        let number = try CPRNumber(cpr)
        let security = try sourceOptions.security()
        let http = FHIRHTTPClient.makeHTTPClient(trust: security.trust)
        let resolved: SourceOptions.Resolved
        var login: GatewayLogin?
        do {
            if sourceOptions.gateway != nil {
                (resolved, login) = try await sourceOptions.resolveGateway(http: http, ask: false)
            } else {
                resolved = try await sourceOptions.resolve(security: security)
            }
            _ = try await resolved.startup?.ready()
        } catch {
            // Said as an error, not as a crash: the HTTP client must be shut down before it goes.
            try? await http.shutdown()
            throw error
        }
        let (registry, startup) = (resolved.registry, resolved.startup)
        var cache: ResourceCache?
        if !noCache {
            do {
                // Through a gateway each user has a cache of their own.
                var path = ResourceCache.defaultPath()
                if let user = login?.userID { path = (path as NSString).deletingPathExtension + "-\(user).sqlite" }
                cache = try ResourceCache(path: path, key: try CacheKeyStore.loadOrCreate())
            } catch {
                FileHandle.standardError.write(
                    Data((CLI.text("cli.warning.no-cache", ["error": .text(CLI.words(error))]) + "\n").utf8))
            }
        }
        let client = FederatedClient(
            registry: registry, client: FHIRHTTPClient(http: http, login: login, trust: security.trust), cache: cache)
        let overview = await client.overview(cpr: number, refresh: refresh)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            FileHandle.standardOutput.write(try encoder.encode(overview) + Data("\n".utf8))
        } else {
            let text = PlainOverviewRenderer(limit: all ? nil : limit, language: languageOption.language).render(overview)
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        try await http.shutdown()
        await startup?.stop()
    }
}
