import EventStream
import FHIR
import Federation
import Foundation
import Terminal
import Words

/// The app's logic: a message and the model give the new model and the work to start. Pure: no I/O, no clock
/// reads (time arrives as `tick`), so every behaviour can be tested without a terminal.
public enum Update {
    public static func update(_ model: inout Model, _ msg: Msg) -> [Effect] {
        switch msg {
        case .key(let key):
            return handle(key, &model, model.keymap)
        case .resized(let width, let height):
            model.width = width
            model.height = height
            return []
        case .overviewLoaded(let overview, let complete):
            guard overview.cpr == model.cpr?.value else { return [] }
            model.overview = overview
            model.loading = !complete
            if complete, let patient = overview.patient, let cpr = model.cpr {
                model.search.recent.removeAll { $0.cpr == cpr }
                model.search.recent.insert(RecentPatient(cpr: cpr, name: patient.name ?? model.strings.unknownName), at: 0)
                if model.search.recent.count > 20 { model.search.recent.removeLast() }
            }
            clampSelections(&model)
            return []
        case .boardLoaded(let entries, let at):
            model.search.board = entries
            model.search.boardFetchedAt = at
            model.search.boardMessage = nil
            model.search.boardLoading = false
            clampSelections(&model)
            return []
        case .boardFailed(let message):
            model.search.boardMessage = message
            model.search.boardLoading = false
            return []
        case .matchesLoaded(let query, let matches, let leftOut):
            guard query == model.search.matchesQuery else { return [] }
            model.search.matches = matches
            model.search.leftOut = leftOut
            model.search.selection = 0
            return []
        case .stream(.state(let state)):
            model.connection = state
            return []
        case .stream(.notification(let event)):
            return notify(event, &model)
        case .patientNamed(let cpr, let name):
            model.patientNames[cpr] = name
            for index in model.notifications.log.indices where model.notifications.log[index].cpr == cpr {
                model.notifications.log[index].name = name
            }
            if let latest = model.notifications.log.first, latest.cpr == cpr, model.toastAt == latest.at {
                model.toast = latest.text(model.language)
            }
            return []
        case .accessLogLoaded(let entries):
            model.accessLog.groups = AccessLogGroup.group(entries)
            model.accessLog.error = nil
            model.accessLog.selection = 0
            return []
        case .accessLogFailed(let message):
            model.accessLog.groups = []
            model.accessLog.error = message
            return []
        case .summaryLoaded(let cpr, let json, let at):
            guard cpr == model.summary.cpr else { return [] }
            do {
                model.summary.document = try SummaryDocument(json)
                model.summary.raw = json
                model.summary.fetchedAt = at
                model.summary.error = nil
            } catch {
                model.summary.error = Phrase("summary.not-a-document")
            }
            return []
        case .summaryFailed(let cpr, let message):
            guard cpr == model.summary.cpr else { return [] }
            model.summary.error = message
            return []
        case .appsLoaded(let listings, let reads, let note):
            model.apps.listings = listings
            model.apps.reads = reads
            model.apps.readsNote = note
            model.apps.error = nil
            return []
        case .appsFailed(let message):
            model.apps.error = message
            return []
        case .appLaunched(let launch):
            guard model.screen == .apps, model.apps.starting == launch.clientID else { return [] }
            model.apps.starting = nil
            model.apps.launch = launch
            model.apps.launchError = nil
            return []
        case .appLaunchFailed(let clientID, let message):
            guard model.screen == .apps, model.apps.starting == clientID else { return [] }
            model.apps.starting = nil
            model.apps.launch = nil
            model.apps.launchError = message
            return []
        case .researchOptOut(let optedOut, let changed):
            let id =
                switch (optedOut, changed) {
                case (true, true): "opt-out.out-now"
                case (true, false): "opt-out.out"
                case (false, true): "opt-out.in-now"
                case (false, false): "opt-out.in"
                }
            toast(model.strings.text(id), &model)
            return []
        case .researchOptOutFailed(let message):
            toast(model.strings.text("opt-out.failed", ["reason": .phrase(message)]), &model)
            return []
        case .summaryExported(let path):
            toast(model.strings.text("summary.exported", ["path": .text(path)]), &model)
            return []
        case .summaryExportFailed(let message):
            toast(model.strings.text(message), &model)
            return []
        case .tick(let date):
            model.now = date
            if let at = model.toastAt, date.timeIntervalSince(at) > 6 {
                model.toast = nil
                model.toastAt = nil
            }
            // The ED board on screen stays current: departures are not always events for this user.
            if model.boardEnabled, model.screen == .search, !model.search.boardLoading,
                let fetched = model.search.boardFetchedAt, date.timeIntervalSince(fetched) >= 30
            {
                model.search.boardLoading = true
                return [.loadBoard]
            }
            return []
        }
    }

    static func toast(_ text: String, _ model: inout Model) {
        model.toast = text
        model.toastAt = model.now
    }

    // MARK: - Keys

    static func handle(_ key: Key, _ model: inout Model, _ keymap: Keymap) -> [Effect] {
        if key == .resize { return [] }
        if model.command != nil { return commandKey(key, &model) }
        if model.filterEditing { return filterKey(key, &model) }
        if model.screen == .search, let effects = searchInput(key, &model) { return effects }
        guard let action = keymap.action(for: key, on: model.screen) else { return [] }
        return perform(action, &model)
    }

    /// What the program does first, once the model has its user: the ED board (when there is one), the patient asked
    /// for on the command line, and for log follow-up, whose work is the access log and not patients, the log.
    public static func start(_ model: inout Model, initialCPR: CPRNumber?) -> [Effect] {
        var effects: [Effect] = model.boardEnabled ? [.loadBoard] : []
        if let initialCPR {
            effects += open(initialCPR, &model)
        } else if !model.ownLog {
            effects += perform(.accessLog, &model)
        }
        return effects
    }

    static func perform(_ action: Action, _ model: inout Model) -> [Effect] {
        switch action {
        case .quit:
            model.quit = true
            return [.quit]
        case .help:
            if model.screen != .help { model.stack.append(.help) }
            model.help.scroll = 0
            return []
        case .command:
            model.command = ""
            return []
        case .filter:
            model.filterEditing = true
            return []
        case .back:
            // A detail (or help) opened from a filtered list goes back to that list, filter and selection as they were.
            if !model.filterText.isEmpty, ![.detail, .help].contains(model.screen) {
                clearFilterKeepingSelection(&model)
                return []
            }
            if model.stack.count > 1 { model.stack.removeLast() }
            return []
        case .refresh:
            if model.screen == .accessLog { return [.loadAccessLog] }
            if model.screen == .summary { return perform(.summary, &model) }
            if model.screen == .apps { return perform(.apps, &model) }
            if model.screen == .search { return model.boardEnabled ? [.loadBoard] : [] }
            guard let cpr = model.cpr else { return [] }
            model.loading = true
            toast(model.strings.refreshing, &model)
            return [.loadOverview(cpr, refresh: true)]
        case .search:
            model.stack = [.search]
            model.filterText = ""
            return model.boardEnabled ? [.loadBoard] : []
        case .timeline, .trends, .notifications:
            let target: ScreenID = action == .timeline ? .timeline : (action == .trends ? .trends : .notifications)
            if target != .notifications, model.cpr == nil {
                toast(model.strings.noPatientOpen, &model)
                return []
            }
            model.filterText = ""
            if model.screen != target { model.stack.append(target) }
            return []
        case .nextPane, .previousPane:
            let all = SectionKind.allCases
            let index = all.firstIndex(of: model.sections.pane) ?? 0
            let step = action == .nextPane ? 1 : all.count - 1
            model.sections.pane = all[(index + step) % all.count]
            return []
        case .section1, .section2, .section3, .section4, .section5, .section6, .section7, .section8, .section9:
            model.sections.pane = SectionKind.allCases[Int(String(action.rawValue.last!))! - 1]
            return []
        case .cycleSector:
            let order: [Sector?] = [nil, .hospital, .gp, .municipality, .national]
            let index = order.firstIndex { $0 == model.timeline.sector } ?? 0
            model.timeline.sector = order[(index + 1) % order.count]
            model.timeline.selection = 0
            return []
        case .cycleType:
            let order: [SectionKind?] = [nil] + SectionKind.allCases
            let index = order.firstIndex { $0 == model.timeline.type } ?? 0
            model.timeline.type = order[(index + 1) % order.count]
            model.timeline.selection = 0
            return []
        case .cyclePeriod:
            let all = TimelinePeriod.allCases
            model.timeline.period = all[(model.timeline.period.rawValue + 1) % all.count]
            model.timeline.selection = 0
            return []
        case .emergency:
            guard model.emergencyAllowed else {
                toast(
                    model.strings.text("emergency.clinicians-only"), &model)
                return []
            }
            guard model.viaGateway, model.cpr != nil else {
                toast(
                    model.strings.text("emergency.gateway-only"), &model)
                return []
            }
            model.command = model.strings.text("command.emergency-word")
            return []
        case .accessLog:
            if model.screen != .accessLog { model.stack.append(.accessLog) }
            model.accessLog.groups = nil
            model.accessLog.error = nil
            return [.loadAccessLog]
        case .summary:
            guard let cpr = model.cpr else {
                toast(model.strings.noPatientOpen, &model)
                return []
            }
            if model.screen != .summary { model.stack.append(.summary) }
            model.summary = SummaryModel(cpr: cpr)
            return [.loadSummary(cpr)]
        case .apps:
            if model.screen != .apps { model.stack.append(.apps) }
            model.apps = AppsModel(cpr: model.cpr)
            return [.loadApps(model.cpr)]
        case .export:
            guard let cpr = model.summary.cpr, let raw = model.summary.raw else {
                toast(model.strings.text("summary.nothing-to-export"), &model)
                return []
            }
            return [.exportSummary(cpr, Data((raw.serializedString() + "\n").utf8))]
        case .open:
            return openSelected(&model)
        case .up, .down, .top, .bottom, .pageUp, .pageDown:
            move(action, &model)
            return []
        }
    }

}
