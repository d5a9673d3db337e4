import CNCursesW
import EventStream
import FHIR
import Federation
import Foundation
import Terminal
import Words

/// The interactive app: one thread owns the terminal and runs the loop (draw when something changed, wait in
/// `poll()` on the keyboard and a wake-up pipe, apply keys and messages); fetches run as tasks and post their
/// results to the mailbox. SIGINT, SIGTERM and SIGHUP end the loop cleanly; a crash restores the terminal.
public final class TerminalApp: @unchecked Sendable {
    public struct Options: Sendable {
        public var language: Language
        public var boardEnabled: Bool
        public var initialCPR: CPRNumber?
        public var logPath: String
        /// The live event stream to follow, if any.
        public var events: EventFeed?
        /// The user's role at the gateway, if any: what is offered (emergency access, whose log) follows from it.
        public var role: String?
        public var keymap: Keymap
        public var theme: ThemeColors

        public init(
            language: Language = .da, boardEnabled: Bool = true, initialCPR: CPRNumber? = nil,
            logPath: String = TerminalApp.defaultLogPath(), events: EventFeed? = nil, role: String? = nil,
            keymap: Keymap = .standard, theme: ThemeColors = .standard
        ) {
            self.role = role
            self.keymap = keymap
            self.theme = theme
            self.language = language
            self.boardEnabled = boardEnabled
            self.initialCPR = initialCPR
            self.logPath = logPath
            self.events = events
        }
    }

    let client: FederatedClient
    let options: Options
    let readiness: (@Sendable () async throws -> Void)?

    /// `readiness`, if given, is awaited before any fetch (the embedded demo's sources may still be starting).
    public init(client: FederatedClient, options: Options, readiness: (@Sendable () async throws -> Void)? = nil) {
        self.client = client
        self.options = options
        self.readiness = readiness
    }

    public static func defaultLogPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        XDGDirectory.state.path("overblik.log", environment: environment)
    }

    /// Runs until the user quits or a quit signal arrives; returns the exit status.
    public func run() async -> Int32 {
        // Two malloc arenas instead of eight per core: a terminal client on a shared machine keeps less freed
        // memory resident between patients, for contention it does not have. Pages of a large answer (600 KB
        // bodies, their parsed trees' arrays) are mapped and unmapped on their own, so opening the large patient
        // leaves no holes in the heap: peak 63-65 → 59 MB, after 50 patients 50-52 → 49 MB.
        ob_limit_malloc_arenas(2)
        ob_fix_mmap_threshold(128 << 10)
        return await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: self.loop()) }
            thread.name = "overblik-ui"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    private func loop() -> Int32 {
        let wake: WakePipe
        do {
            wake = try WakePipe()
        } catch {
            FileHandle.standardError.write(
                Data((Strings.for(options.language).text("common.cannot-start", ["error": .text("\(error)")]) + "\n").utf8))
            return 1
        }
        let mailbox = Mailbox<Msg>(wake: wake)
        // While the screen is active, stderr goes to a log file so nothing scribbles over the screen.
        let savedStderr = dup(2)
        try? FileManager.default.createDirectory(
            atPath: (options.logPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let logFD = open(options.logPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        if logFD >= 0 { dup2(logFD, 2) }
        defer {
            if savedStderr >= 0 { dup2(savedStderr, 2); close(savedStderr) }
            if logFD >= 0 { close(logFD) }
        }
        let backend: NcursesBackend
        do {
            backend = try NcursesBackend()
        } catch {
            if savedStderr >= 0 { dup2(savedStderr, 2) }
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            return 1
        }
        defer { backend.stop() }
        ob_install_quit_signals(wake.writeFD)

        var model = Model(
            language: options.language, glyphs: backend.glyphs, colorTier: backend.colorTier, width: backend.width,
            height: backend.height, now: Date(), sourceCount: client.registry.clinical.count, boardEnabled: options.boardEnabled)
        model.viaGateway = client.login != nil
        model.role = options.role
        model.keymap = options.keymap
        model.theme = options.theme
        var effects = Update.start(&model, initialCPR: options.initialCPR)
        let runner = EffectRunner(client: client, mailbox: mailbox, readiness: readiness, language: options.language)
        if let feed = options.events {
            model.connection = .connecting
            runner.follow(feed)
        }
        var dirty = true
        var lastTick = Date()
        while !model.quit {
            for effect in effects { runner.run(effect) }
            effects = []
            if dirty {
                backend.draw(View.render(model))
                dirty = false
            }
            var fds = [
                pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: wake.readFD, events: Int16(POLLIN), revents: 0),
            ]
            _ = poll(&fds, 2, 1000)
            if ob_quit_signal() != 0 { break }
            wake.drain()
            var resized = false
            for key in backend.readKeys() {
                if key == .resize {
                    resized = true
                    continue
                }
                effects += Update.update(&model, .key(key))
                dirty = true
            }
            if resized {
                // Several resize events in one batch are one redraw.
                backend.updateSize()
                effects += Update.update(&model, .resized(width: backend.width, height: backend.height))
                dirty = true
            }
            for message in mailbox.takeAll() {
                effects += Update.update(&model, message)
                dirty = true
            }
            let now = Date()
            if now.timeIntervalSince(lastTick) >= 1 {
                lastTick = now
                effects += Update.update(&model, .tick(now))
                dirty = true
            }
        }
        runner.cancelAll()
        return 0
    }
}

/// Starts the work effects ask for and posts the answers.
final class EffectRunner: @unchecked Sendable {
    let client: FederatedClient
    let mailbox: Mailbox<Msg>
    let ready: Task<Phrase?, Never>
    let language: Language
    private var overviewTask: Task<Void, Never>?
    private var tasks: [Task<Void, Never>] = []

    init(
        client: FederatedClient, mailbox: Mailbox<Msg>, readiness: (@Sendable () async throws -> Void)?,
        language: Language = .da
    ) {
        self.client = client
        self.mailbox = mailbox
        self.language = language
        // Nil when ready; else why it will never be.
        ready = Task {
            do {
                try await readiness?()
                return nil
            } catch let failure as FetchFailure {
                return failure.reason
            } catch {
                return .verbatim("\(error)")
            }
        }
    }

    func run(_ effect: Effect) {
        let client = client
        let mailbox = mailbox
        let ready = ready
        switch effect {
        case .loadOverview(let cpr, let refresh):
            overviewTask?.cancel()
            overviewTask = Task {
                guard await ready.value == nil else { return }
                let overview = await client.overview(cpr: cpr, refresh: refresh) { partial in
                    mailbox.post(.overviewLoaded(partial, complete: false))
                }
                mailbox.post(.overviewLoaded(overview, complete: true))
                // Loading a patient parses and decodes far more than the overview keeps (the large patient's pages
                // are megabytes as JSON trees); give the freed heap back, so a long shift's memory stays flat.
                _ = ob_release_free_memory()
            }
        case .loadBoard:
            tasks.append(
                Task {
                    if let failure = await ready.value {
                        mailbox.post(.boardFailed([failure]))
                        return
                    }
                    let (entries, failures, fetchedAt) = await client.emergencyBoard()
                    if !failures.isEmpty, entries.isEmpty {
                        mailbox.post(.boardFailed(failures))
                    } else {
                        mailbox.post(.boardLoaded(entries, at: fetchedAt))
                        // Shown under the heading: the board is older than it looks because a source failed.
                        if !failures.isEmpty { mailbox.post(.boardFailed(failures)) }
                    }
                })
        case .searchByName(let query):
            tasks.append(
                Task {
                    guard await ready.value == nil else { return }
                    let found = await client.searchPatients(name: query)
                    mailbox.post(.matchesLoaded(query: query, found.matches, leftOut: found.notes))
                })
        case .invalidate(let cpr, let source):
            client.invalidate(cpr: cpr, source: source)
        case .lookupName(let cpr):
            tasks.append(
                Task {
                    guard await ready.value == nil, let name = await client.patientName(cpr: cpr) else { return }
                    mailbox.post(.patientNamed(cpr, name))
                })
        case .grantEmergency(let cpr, let reason):
            client.grantEmergency(cpr: cpr, reason: reason)
        case .loadAccessLog:
            tasks.append(
                Task {
                    guard let login = client.login else {
                        mailbox.post(.accessLogFailed(Phrase("log.gateway-only")))
                        return
                    }
                    if let failure = await ready.value {
                        mailbox.post(.accessLogFailed(failure))
                        return
                    }
                    do {
                        mailbox.post(.accessLogLoaded(try await login.accessLog()))
                    } catch let failure as FetchFailure {
                        mailbox.post(.accessLogFailed(failure.reason))
                    } catch {
                        mailbox.post(.accessLogFailed(.verbatim("\(error)")))
                    }
                })
        case .loadApps(let cpr):
            tasks.append(
                Task {
                    guard let login = client.login else {
                        mailbox.post(.appsFailed(Phrase("apps.gateway-only")))
                        return
                    }
                    if let failure = await ready.value {
                        mailbox.post(.appsFailed(failure))
                        return
                    }
                    do {
                        let listings = try await login.appStore()
                        var reads: [AccessLogEntry]?
                        var note: Phrase?
                        if let cpr {
                            do {
                                reads = try await login.accessLog(patient: cpr.value)
                            } catch let failure as FetchFailure {
                                // Only the citizen and log follow-up read the log: said, not an error.
                                note = failure.httpStatus == 403 ? Phrase("apps.reads-not-yours") : failure.reason
                            }
                        }
                        mailbox.post(.appsLoaded(listings, reads: reads, readsNote: note))
                    } catch let failure as FetchFailure {
                        mailbox.post(.appsFailed(failure.reason))
                    } catch {
                        mailbox.post(.appsFailed(.verbatim("\(error)")))
                    }
                })
        case .launchApp(let clientID, let cpr):
            tasks.append(
                Task {
                    guard let login = client.login else {
                        mailbox.post(.appLaunchFailed(clientID: clientID, Phrase("apps.gateway-only")))
                        return
                    }
                    do {
                        mailbox.post(.appLaunched(try await login.launch(clientID: clientID, cpr: cpr.value)))
                    } catch let failure as FetchFailure {
                        mailbox.post(.appLaunchFailed(clientID: clientID, failure.reason))
                    } catch {
                        mailbox.post(.appLaunchFailed(clientID: clientID, .verbatim("\(error)")))
                    }
                })
        case .researchOptOut(let wanted):
            let language = language
            tasks.append(
                Task {
                    guard let login = client.login else {
                        mailbox.post(.researchOptOutFailed(Phrase("opt-out.gateway-only")))
                        return
                    }
                    do throws(FetchFailure) {
                        if let wanted {
                            mailbox.post(
                                .researchOptOut(try await login.setResearchOptOut(wanted, language: language), changed: true))
                        } else {
                            mailbox.post(.researchOptOut(try await login.researchOptOut(), changed: false))
                        }
                    } catch {
                        mailbox.post(.researchOptOutFailed(error.reason))
                    }
                })
        case .loadSummary(let cpr):
            let language = language
            tasks.append(
                Task {
                    guard let login = client.login else {
                        mailbox.post(.summaryFailed(cpr, Phrase("summary.gateway-only")))
                        return
                    }
                    if let failure = await ready.value {
                        mailbox.post(.summaryFailed(cpr, failure))
                        return
                    }
                    do {
                        let document = try await login.summary(cpr: cpr.value, language: language)
                        mailbox.post(.summaryLoaded(cpr, document, at: Date()))
                    } catch let failure as FetchFailure {
                        let reason =
                            failure.httpStatus == 404
                            ? Phrase("summary.no-access", ["cpr": .text(cpr.formatted)]) : failure.reason
                        mailbox.post(.summaryFailed(cpr, reason))
                    } catch {
                        mailbox.post(.summaryFailed(cpr, .verbatim("\(error)")))
                    }
                })
        case .exportSummary(let cpr, let data):
            do {
                mailbox.post(.summaryExported(path: try SummaryExport.write(data, cpr: cpr, language: language)))
            } catch {
                mailbox.post(.summaryExportFailed(Phrase("summary.export-failed", ["error": .text("\(error)")])))
            }
        case .quit:
            break
        }
        tasks.removeAll { $0.isCancelled }
    }

    /// Follows the event stream: creates or reuses the user's subscription, then posts every update.
    func follow(_ feed: EventFeed) {
        let mailbox = mailbox
        let ready = ready
        tasks.append(
            Task {
                guard await ready.value == nil else { return }
                for await update in feed.updates() {
                    mailbox.post(.stream(update))
                }
            })
    }

    func cancelAll() {
        overviewTask?.cancel()
        for task in tasks { task.cancel() }
    }
}
