import FHIR
import Federation
import Foundation
import Terminal

/// The app cloud's catalogue (`:apps`, `A`): each app with its vendor, kind, status, what it may read and who
/// installed it; with a patient open, which apps read that patient's data and when (from the access log, for those
/// who may read it). The cursor is on one app; Enter starts it on the open patient (an EHR launch) and the URL
/// that opens it is shown at the top.
enum AppsView {
    /// The box's lines: what was started (pinned at the top, so its address is always in view), the rest, and where
    /// each catalogue entry's lines are (to keep the one under the cursor in view).
    static func lines(
        _ model: Model, width: Int
    ) -> (pinned: [SummaryView.Line], lines: [SummaryView.Line], entries: [Swift.Range<Int>]) {
        let strings = model.strings
        let apps = model.apps
        var lines: [SummaryView.Line] = []
        var entries: [Swift.Range<Int>] = []
        var pinned: [SummaryView.Line] = []
        func add(_ text: String, _ kind: SummaryView.Line.Kind, indent: String = "    ", first: String = "  ") {
            for (index, part) in DisplayWidth.wrap(text, to: max(10, width - DisplayWidth.of(indent))).enumerated() {
                lines.append(SummaryView.Line(text: (index == 0 ? first : indent) + part, kind: kind))
            }
        }
        let name = { (id: String) in apps.listings?.first { $0.clientID == id }?.name ?? id }
        if let cpr = apps.cpr {
            if let id = apps.starting {
                add(strings.text("apps.starting", ["app": .text(name(id)), "cpr": .text(cpr.formatted)]), .note)
            } else if let launch = apps.launch {
                add(strings.text("apps.started", ["app": .text(name(launch.clientID)), "cpr": .text(cpr.formatted)]), .section)
                if let url = launch.url {
                    add(url, .item, indent: "  ")
                } else {
                    add(strings.text("apps.started-no-url", ["launch": .text(launch.launchID)]), .item)
                }
                add(strings.text("apps.started-valid"), .note)
            } else if let error = apps.launchError {
                add(strings.text(error), .withheld)
            }
            if !lines.isEmpty {
                lines.append(SummaryView.Line(text: "", kind: .item))
                pinned = lines
                lines = []
            }
            add(strings.text("apps.reads-title", ["cpr": .text(cpr.formatted)]), .section, indent: "", first: "")
            if let reads = apps.reads {
                let groups = AccessLogGroup.group(reads.filter { $0.app != nil })
                if groups.isEmpty { add(strings.text("apps.no-reads"), .none) }
                for group in groups {
                    let when = DanishFormat.date(FHIRDateTime(date: group.to, precision: .minute))
                    let sources = group.sources.map { AccessLogView.sourceName($0, strings) }.joined(separator: ", ")
                    add(
                        strings.text(
                            "apps.read-line",
                            [
                                "when": .text(when), "app": .text(group.first.app ?? "-"), "who": .text(group.first.who),
                                "sources": .text(sources), "count": .integer(group.count),
                            ]), group.first.outcome == "success" ? .item : .withheld)
                }
            } else if let note = apps.readsNote {
                add(strings.text(note), .note)
            }
            lines.append(SummaryView.Line(text: "", kind: .item))
        }
        add(strings.text("apps.catalogue-title"), .section, indent: "", first: "")
        guard let listings = apps.listings else { return (pinned, lines, entries) }
        if listings.isEmpty { add(strings.text("apps.none"), .none) }
        for (index, app) in listings.enumerated() {
            let start = lines.count
            let kind =
                switch app.kind {
                case "web-app": strings.text("apps.kind.web-app")
                case "backend-service": strings.text("apps.kind.backend-service")
                case "platform-service": strings.text("apps.kind.platform-service")
                default: app.kind
                }
            let status =
                switch app.status {
                case "pilot": strings.text("apps.status.pilot")
                case "approved": strings.text("apps.status.approved")
                default: app.status
                }
            add(
                "\(app.name)  \(model.glyphs.bullet) \(app.vendor)  \(model.glyphs.bullet) \(kind), \(status)",
                index == apps.selection ? .selected : .item)
            if !app.description.isEmpty { add(app.description, .note, first: "    ") }
            add(strings.text("apps.scopes", ["scopes": .text(app.scopes.joined(separator: " "))]), .note, first: "    ")
            let installed = app.installedBy.isEmpty ? "-" : app.installedBy.joined(separator: ", ")
            add(strings.text("apps.installed", ["by": .text(installed)]), .note, first: "    ")
            entries.append(start..<lines.count)
        }
        return (pinned, lines, entries)
    }

    static func draw(_ screen: inout Screen, _ model: Model, _ theme: Theme) {
        let strings = model.strings
        let apps = model.apps
        Chrome.titleBar(&screen, strings.text("apps.title"), model, theme)
        let state =
            apps.listings == nil && apps.error == nil
            ? strings.text("apps.loading") : strings.text("apps.count", ["count": .integer(apps.listings?.count ?? 0)])
        screen.put(" " + state, x: 0, y: 1, style: apps.listings == nil ? theme.dim : theme.plain, maxWidth: screen.width)
        let (pinned, lines, entries) = lines(model, width: screen.width - 4)
        // In view: what was started, and the app under the cursor (its first line at least).
        let rows = max(1, screen.height - 5 - pinned.count)
        var scroll = 0
        if entries.indices.contains(apps.selection) {
            let entry = entries[apps.selection]
            if entry.upperBound > rows { scroll = min(entry.lowerBound, entry.upperBound - rows) }
        }
        SummaryView.box(
            &screen, title: strings.text("apps.box-title"), error: apps.error, pinned: pinned, lines: lines, scroll: scroll,
            model,
            theme)
    }
}
