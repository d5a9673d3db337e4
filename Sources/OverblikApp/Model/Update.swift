import EventStream
import FHIR
import Federation
import Foundation
import Terminal

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
        case .matchesLoaded(let query, let matches):
            guard query == model.search.matchesQuery else { return [] }
            model.search.matches = matches
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

    /// A notification: into the list (newest first) and the toast line; the patient's cached data from that source
    /// is forgotten, and an open overview of the patient and the ED board reload by themselves.
    static func notify(_ event: EventNotification, _ model: inout Model) -> [Effect] {
        guard let cpr = event.cpr else { return [] }
        let name = knownName(cpr, model)
        if let name, model.patientNames[cpr] == nil {
            if model.patientNames.count >= 2000 { model.patientNames.removeAll() }
            model.patientNames[cpr] = name
        }
        let entry = NotificationEntry(cpr: cpr, event: event, name: name, at: model.now)
        model.notifications.log.add(entry)
        if model.screen == .notifications, model.notifications.selection > 0 { model.notifications.selection += 1 }
        toast(entry.text(model.language), &model)
        var effects: [Effect] = [.invalidate(cpr, source: event.sourceID)]
        if model.cpr == cpr, model.screen != .search { effects.append(.loadOverview(cpr, refresh: false)) }
        if model.boardEnabled, NotificationText.changesBoard(event.code) { effects.append(.loadBoard) }
        if name == nil { effects.append(.lookupName(cpr)) }
        return effects
    }

    static func knownName(_ cpr: CPRNumber, _ model: Model) -> String? {
        if model.cpr == cpr, let name = model.overview?.patient?.name { return name }
        if let entry = model.search.board.first(where: { $0.cpr == cpr }) { return entry.name }
        if let entry = model.search.recent.first(where: { $0.cpr == cpr }) { return entry.name }
        return model.patientNames[cpr]
    }

    /// `:værdispring REASON`: the open patient under emergency access, after a reason of some length.
    static func emergency(reason: String, _ model: inout Model) -> [Effect] {
        let strings = model.strings
        guard model.emergencyAllowed else { return perform(.emergency, &model) }
        guard model.viaGateway, let cpr = model.cpr else {
            toast(
                strings.text("emergency.open-patient-first"),
                &model)
            return []
        }
        let text = TextSanitizer.cleanLine(reason, maxLength: 300)
        guard text.count >= 5 else {
            toast(
                strings.text("emergency.needs-reason"),
                &model)
            return []
        }
        model.loading = true
        model.emergencyCPRs.insert(cpr)
        toast(strings.text("emergency.granted"), &model)
        return [.grantEmergency(cpr, reason: text), .loadOverview(cpr, refresh: true)]
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

    /// Typing on the search screen: printable characters go into the input (`Keymap.typedOnSearch`), so a name may
    /// begin with any letter; the list is moved with the arrows, and `:` gives the commands.
    static func searchInput(_ key: Key, _ model: inout Model) -> [Effect]? {
        switch key {
        case .character(let c) where Keymap.typedOnSearch(key, inputEmpty: model.search.input.isEmpty):
            model.search.input.append(c)
            model.search.matches = nil
            model.search.matchesQuery = nil
            return []
        case .backspace:
            if !model.search.input.isEmpty { model.search.input.removeLast() }
            if model.search.input.isEmpty {
                model.search.matches = nil
                model.search.matchesQuery = nil
            }
            return []
        case .control("u"), .control("w"):
            model.search.input = LineEditing.erase(key, in: model.search.input)
            model.search.matches = nil
            model.search.matchesQuery = nil
            return []
        case .escape where !model.search.input.isEmpty || model.search.matches != nil:
            model.search.input = ""
            model.search.matches = nil
            model.search.matchesQuery = nil
            return []
        case .enter:
            let text = model.search.input.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { return nil }  // opens the selected row
            // The results of this very search are shown: Enter opens the selected one.
            if text == model.search.matchesQuery, model.search.matches?.isEmpty == false { return nil }
            if text.first!.isNumber || text.contains("-") && text.count == 11 {
                do {
                    let cpr = try CPRNumber(text)
                    model.search.input = ""
                    return open(cpr, &model)
                } catch {
                    toast("\(model.strings.invalidCPR): \(model.strings.cprProblem(error))", &model)
                    return []
                }
            }
            guard text.count >= 2 else { return [] }
            model.search.matchesQuery = text
            model.search.matches = []
            return [.searchByName(text)]
        default:
            return nil
        }
    }

    static func open(_ cpr: CPRNumber, _ model: inout Model, refresh: Bool = false) -> [Effect] {
        if model.cpr != cpr {
            model.overview = nil
            model.sections.selection = [:]
            model.sections.pane = .conditions
            model.timeline.selection = 0
            model.trends.selection = 0
        }
        model.cpr = cpr
        model.loading = true
        model.filterText = ""
        model.stack = [.search, .overview]
        return [.loadOverview(cpr, refresh: refresh)]
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
        case .section1, .section2, .section3, .section4, .section5, .section6, .section7, .section8:
            model.sections.pane = SectionKind.allCases[Int(String(action.rawValue.last!))! - 1]
            return []
        case .cycleSector:
            let order: [Sector?] = [nil, .hospital, .gp, .municipality]
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
        case .open:
            return openSelected(&model)
        case .up, .down, .top, .bottom, .pageUp, .pageDown:
            move(action, &model)
            return []
        }
    }

    /// The filter cleared, and the item that was selected in the filtered list still selected in the whole one.
    static func clearFilterKeepingSelection(_ model: inout Model) {
        switch model.screen {
        case .overview:
            let items = model.paneItems()
            let id = model.sections.selection[model.sections.pane].flatMap { items.indices.contains($0) ? items[$0].id : nil }
            model.filterText = ""
            if let id, let index = model.paneItems().firstIndex(where: { $0.id == id }) {
                model.sections.selection[model.sections.pane] = index
            }
        case .timeline:
            let items = model.timelineItems
            let id = items.indices.contains(model.timeline.selection) ? items[model.timeline.selection].id : nil
            model.filterText = ""
            if let id, let index = model.timelineItems.firstIndex(where: { $0.id == id }) { model.timeline.selection = index }
        case .trends:
            let trends = model.trendItems
            let code = trends.indices.contains(model.trends.selection) ? trends[model.trends.selection].code : nil
            model.filterText = ""
            if let code, let index = model.trendItems.firstIndex(where: { $0.code == code }) { model.trends.selection = index }
        default:
            model.filterText = ""
        }
    }

    static func openSelected(_ model: inout Model) -> [Effect] {
        switch model.screen {
        case .search:
            let entries = model.searchEntries
            guard entries.indices.contains(model.search.selection) else { return [] }
            return open(entries[model.search.selection].cpr, &model)
        case .overview:
            let items = model.paneItems()
            guard let index = model.sections.selection[model.sections.pane], items.indices.contains(index) else {
                if let first = items.first { showDetail(.item(first), &model) }
                return []
            }
            showDetail(.item(items[index]), &model)
        case .timeline:
            let items = model.timelineItems
            if items.indices.contains(model.timeline.selection) { showDetail(.item(items[model.timeline.selection]), &model) }
        case .notifications:
            let list = model.notifications.log
            if list.indices.contains(model.notifications.selection) {
                return open(list[model.notifications.selection].cpr, &model)
            }
        case .trends:
            let trends = model.trendItems
            guard trends.indices.contains(model.trends.selection) else { return [] }
            showDetail(.trend(trends[model.trends.selection]), &model)
        case .accessLog:
            guard let groups = model.accessLog.groups, groups.indices.contains(model.accessLog.selection) else { return [] }
            showDetail(.access(groups[model.accessLog.selection]), &model)
        case .detail, .help:
            break
        }
        return []
    }

    static func showDetail(_ content: DetailContent, _ model: inout Model) {
        model.detail.content = content
        model.detail.scroll = 0
        model.stack.append(.detail)
    }

    static func move(_ action: Action, _ model: inout Model) {
        func moved(_ index: Int, count: Int) -> Int {
            guard count > 0 else { return 0 }
            switch action {
            case .up: return max(0, index - 1)
            case .down: return min(count - 1, index + 1)
            case .top: return 0
            case .bottom: return count - 1
            case .pageUp: return max(0, index - model.pageSize)
            case .pageDown: return min(count - 1, index + model.pageSize)
            default: return index
            }
        }
        switch model.screen {
        case .search: model.search.selection = moved(model.search.selection, count: model.searchEntries.count)
        case .overview:
            model.sections.selection[model.sections.pane] = moved(
                model.sections.selection[model.sections.pane] ?? 0, count: model.paneItems().count)
        case .timeline: model.timeline.selection = moved(model.timeline.selection, count: model.timelineItems.count)
        case .trends: model.trends.selection = moved(model.trends.selection, count: model.trendItems.count)
        case .notifications:
            model.notifications.selection = moved(model.notifications.selection, count: model.notifications.log.count)
        case .detail: model.detail.scroll = moved(model.detail.scroll, count: 100_000)
        case .help: model.help.scroll = moved(model.help.scroll, count: 1000)
        case .accessLog: model.accessLog.selection = moved(model.accessLog.selection, count: model.accessLog.groups?.count ?? 0)
        }
    }

    static func clampSelections(_ model: inout Model) {
        model.search.selection = min(model.search.selection, max(0, model.searchEntries.count - 1))
        for kind in SectionKind.allCases {
            if let index = model.sections.selection[kind] {
                model.sections.selection[kind] = min(index, max(0, model.paneItems(kind).count - 1))
            }
        }
        model.timeline.selection = min(model.timeline.selection, max(0, model.timelineItems.count - 1))
        model.trends.selection = min(model.trends.selection, max(0, model.trendItems.count - 1))
    }

    // MARK: - Filter and command line

    static func filterKey(_ key: Key, _ model: inout Model) -> [Effect] {
        switch key {
        case .character(let c): model.filterText.append(c)
        case .backspace: if !model.filterText.isEmpty { model.filterText.removeLast() }
        case .control("u"), .control("w"): model.filterText = LineEditing.erase(key, in: model.filterText)
        case .enter: model.filterEditing = false
        case .escape:
            model.filterEditing = false
            model.filterText = ""
        default: break
        }
        clampSelections(&model)
        return []
    }

    static func commandKey(_ key: Key, _ model: inout Model) -> [Effect] {
        switch key {
        case .character(let c):
            model.command?.append(c)
        case .backspace:
            if model.command?.isEmpty == true { model.command = nil } else { model.command?.removeLast() }
        case .control("u"), .control("w"):
            model.command = LineEditing.erase(key, in: model.command ?? "")
        case .escape:
            model.command = nil
        case .enter:
            let line = model.command ?? ""
            model.command = nil
            return run(command: line, &model)
        default:
            break
        }
        return []
    }

    /// Commands by unique prefix, in Danish or English: `:p 2509479989`, `:tid`, `:quit`.
    static let commands: [(names: [String], action: Action?)] = [
        (["patient", "p"], nil),
        (["tidslinje", "timeline"], .timeline),
        (["laboratorie", "lab", "trends"], .trends),
        (["notifikationer", "notifications"], .notifications),
        (["hjælp", "help"], .help),
        (["søg", "find", "search"], .search),
        (["opdater", "refresh"], .refresh),
        (["quit", "afslut", "exit"], .quit),
        (["værdispring", "vaerdispring", "emergency"], .emergency),
        (["log", "minlog", "adgangslog"], .accessLog),
    ]

    static func run(command line: String, _ model: inout Model) -> [Effect] {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        guard let word = parts.first?.lowercased(), !word.isEmpty else { return [] }
        let exact = commands.filter { $0.names.contains(word) }
        let candidates = exact.isEmpty ? commands.filter { $0.names.contains { $0.hasPrefix(word) } } : exact
        guard candidates.count == 1, let command = candidates.first else {
            let names = candidates.map { $0.names[0] }.joined(separator: ", ")
            toast(
                candidates.isEmpty ? "\(model.strings.unknownCommand): \(word)" : "\(model.strings.ambiguousCommand): \(names)",
                &model)
            return []
        }
        if command.action == .emergency {
            return emergency(reason: parts.count > 1 ? parts[1] : "", &model)
        }
        guard let action = command.action else {
            // :p CPR opens a patient.
            guard parts.count > 1, let cpr = try? CPRNumber(parts[1]) else {
                toast("\(model.strings.invalidCPR): \(parts.count > 1 ? parts[1] : "")", &model)
                return []
            }
            return open(cpr, &model)
        }
        return perform(action, &model)
    }
}
