import ArgumentParser
import EventStream
import FHIR
import Federation
import Foundation
import OverblikApp
import Words

@main
struct Overblik: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overblik",
        abstract: CLI.text("cli.abstract.overblik"),
        discussion: CLI.text("cli.discussion.overblik"),
        subcommands: [OverviewCommand.self, SummaryCommand.self, CacheCommand.self]
    )

    @OptionGroup var sourceOptions: SourceOptions

    @OptionGroup var languageOption: LanguageOption

    @Flag(help: ArgumentHelp(CLI.text("cli.help.plain")))
    var plain = false

    @Option(help: ArgumentHelp(CLI.text("cli.help.patient")))
    var patient: String?

    @Option(help: ArgumentHelp(CLI.text("cli.help.theme")))
    var theme: String?

    func validate() throws {
        if let patient {
            do { _ = try CPRNumber(patient) } catch { throw ValidationError(CLI.strings.cprProblem(error)) }
        }
    }

    func run() async throws {
        // The program's own files first: a broken or missing catalog, keymap or theme is said before anything starts.
        let keymap: Keymap
        let colors: ThemeColors
        do {
            try Catalog.checkBundled()
            try ThemeColors.checkBundled()
            keymap = try Keymap.forUser()
            colors = try ThemeColors.named(theme ?? ProcessInfo.processInfo.environment["OVERBLIK_THEME"] ?? "default")
        } catch {
            throw ValidationError(CLI.words(error))
        }
        let interactive = !(plain || isatty(0) == 0 || isatty(1) == 0)
        let language = languageOption.language
        let security = try sourceOptions.security()
        let http = FHIRHTTPClient.makeHTTPClient(trust: security.trust)
        let resolved: SourceOptions.Resolved
        let login: GatewayLogin?
        if sourceOptions.gateway != nil {
            (resolved, login) = try await sourceOptions.resolveGateway(http: http, ask: interactive, language: language)
        } else {
            resolved = try await sourceOptions.resolve(
                throughGateway: true, ask: interactive, language: language, security: security)
            login = resolved.gateway.map { GatewayLogin(gatewayURL: $0.url, demoUser: $0.user, http: http) }
        }
        let (registry, startup, feed) = (resolved.registry, resolved.startup, resolved.feed)
        // Behind the gateway the user's subscription is theirs: the event stream carries their token too.
        var token: AccessToken?
        if let login { token = { @Sendable () async throws -> String in try await login.token() } }
        let events = feed.map {
            EventFeed(
                engineURL: $0.engineURL, alternateURLs: $0.alternateURLs, wish: $0.wish, token: token, httpClient: http)
        }
        var cache: ResourceCache?
        do {
            // Each gateway user has a cache of their own: one user's copies are never shown to another.
            var path = ResourceCache.defaultPath()
            if let user = resolved.gateway?.user { path = (path as NSString).deletingPathExtension + "-\(user).sqlite" }
            cache = try ResourceCache(path: path, key: try CacheKeyStore.loadOrCreate())
        } catch {
            FileHandle.standardError.write(
                Data((CLI.text("cli.warning.no-cache", ["error": .text(CLI.words(error))]) + "\n").utf8))
        }
        let client = FederatedClient(
            registry: registry, client: FHIRHTTPClient(http: http, login: login, trust: security.trust), cache: cache)
        let status: Int32
        let initial = patient.flatMap { try? CPRNumber($0) } ?? resolved.initialCPR
        if !interactive {
            _ = try await startup?.ready()
            status = await PlainSession(client: client, initial: initial, language: language).run()
        } else {
            // The screen opens at once; fetches wait until the embedded demo sources answer.
            var readiness: (@Sendable () async throws -> Void)?
            if let startup {
                readiness = { _ = try await startup.ready() }
            }
            let app = TerminalApp(
                client: client,
                options: .init(
                    language: language,
                    boardEnabled: registry.sources.contains { $0.sector == .hospital }
                        && !["citizen", "log-auditor"].contains(resolved.role ?? ""),
                    initialCPR: initial, events: events,
                    role: resolved.role, keymap: keymap, theme: colors),
                readiness: readiness)
            status = await app.run()
        }
        try? await http.shutdown()
        await startup?.stop()
        if status != 0 { throw ExitCode(status) }
    }
}
