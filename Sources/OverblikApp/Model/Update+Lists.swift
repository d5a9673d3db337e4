import EventStream
import FHIR
import Federation
import Foundation
import Terminal

// Every list: the selection moved and kept in range, a filter cleared, the selected row opened in the detail.
extension Update {
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
        case .apps:
            return startApp(&model)
        case .detail, .help, .summary:
            break
        }
        return []
    }

    /// Enter on `:apps`: the app under the cursor started on the open patient (an EHR launch). Only a web app can be
    /// started, and only on a patient; the gateway decides whether the user's organisation installed it.
    static func startApp(_ model: inout Model) -> [Effect] {
        guard let listings = model.apps.listings, listings.indices.contains(model.apps.selection) else { return [] }
        let app = listings[model.apps.selection]
        guard let cpr = model.apps.cpr else {
            toast(model.strings.text("apps.launch-no-patient"), &model)
            return []
        }
        guard app.kind == "web-app" else {
            toast(model.strings.text("apps.launch-not-web", ["app": .text(app.name)]), &model)
            return []
        }
        model.apps.starting = app.clientID
        model.apps.launch = nil
        model.apps.launchError = nil
        return [.launchApp(clientID: app.clientID, cpr)]
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
        case .summary: model.summary.scroll = moved(model.summary.scroll, count: 100_000)
        case .apps: model.apps.selection = moved(model.apps.selection, count: model.apps.listings?.count ?? 0)
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
}
