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
        try CommandInput.check(cpr: cpr, json: json, plain: plain)
    }

    func run() async throws {
        let number = try CPRNumber(cpr)
        let connection = try await sourceOptions.connect(throughGateway: false)
        let login = connection.login
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
        let client = connection.client(cache: cache)
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
        await connection.close()
    }
}
