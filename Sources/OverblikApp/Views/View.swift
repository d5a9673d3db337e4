import FHIR
import Federation
import Foundation
import Terminal

/// The views: pure functions from the model to a screen grid.
public enum View {
    public static func render(_ model: Model) -> Screen {
        var screen = Screen(width: model.width, height: model.height)
        let theme = Theme(tier: model.colorTier, colors: model.theme)
        guard model.width >= 40, model.height >= 10 else {
            // Wrapped to what there is, so the whole message shows even in a tiny window.
            for (row, line) in DisplayWidth.wrap(model.strings.tooSmall, to: max(1, model.width)).prefix(model.height)
                .enumerated()
            {
                screen.put(line, x: 0, y: row, style: theme.error)
            }
            return screen
        }
        switch model.screen {
        case .search: SearchView.draw(&screen, model, theme)
        case .overview: OverviewView.draw(&screen, model, theme)
        case .detail: DetailView.draw(&screen, model, theme)
        case .timeline: TimelineView.draw(&screen, model, theme)
        case .trends: TrendsView.draw(&screen, model, theme)
        case .notifications: NotificationsView.draw(&screen, model, theme)
        case .help: HelpView.draw(&screen, model, theme)
        case .accessLog: AccessLogView.draw(&screen, model, theme)
        case .summary: SummaryView.draw(&screen, model, theme)
        case .apps: AppsView.draw(&screen, model, theme)
        }
        BottomBar.draw(&screen, model, theme)
        Chrome.connectionIndicator(&screen, model, theme)
        return screen
    }
}

/// Shared pieces: the patient header, the source line, framed lists.
enum Chrome {
    /// Title bar: app name and what is shown, in reverse video over the whole width.
    /// Top right: how the live event stream stands, in words (not colour alone).
    static func connectionIndicator(_ screen: inout Screen, _ model: Model, _ theme: Theme) {
        guard let connection = model.connection else { return }
        let unicode = model.glyphs.isUnicode
        let text: String
        let style: Style
        switch connection {
        case .live:
            text = (unicode ? "● " : "* ") + model.strings.text("connection.live")
            style = theme.bar
        case .connecting, .reconnecting:
            text = (unicode ? "↻ " : "~ ") + model.strings.text("connection.reconnecting")
            style = theme.warning
        case .offline:
            text = (unicode ? "✕ " : "x ") + model.strings.text("connection.offline")
            style = theme.error
        }
        let label = " \(text) "
        let width = DisplayWidth.of(label)
        guard screen.width > width + 20 else { return }
        screen.put(label, x: screen.width - width, y: 0, style: style)
    }

    static func titleBar(_ screen: inout Screen, _ text: String, _ model: Model, _ theme: Theme) {
        screen.fill(x: 0, y: 0, width: screen.width, height: 1, style: theme.bar)
        screen.put(
            " \(model.strings.appName) \(model.glyphs.bullet) \(text)", x: 0, y: 0, style: theme.bar, maxWidth: screen.width)
    }

    /// Rows 0-3: who the patient is, what to notice, and how each source answered. Returns the next free row.
    @discardableResult
    static func patientHeader(_ screen: inout Screen, _ model: Model, _ theme: Theme) -> Int {
        let strings = model.strings
        let width = screen.width
        guard let cpr = model.cpr else { return 0 }
        screen.fill(x: 0, y: 0, width: width, height: 1, style: theme.bar)
        let patient = model.overview?.patient
        var facts = [cpr.formatted]
        if let age = patient?.age(at: model.now) { facts.append("\(age) \(strings.years)") }
        if let gender = strings.gender(patient?.gender) { facts.append(gender) }
        if model.emergencyCPRs.contains(cpr) { facts.append(strings.text("header.emergency")) }
        let refused = model.overview?.sources.contains { [.denied, .withheld].contains($0.state) } == true
        let name =
            patient.map { $0.name ?? strings.unknownName }
            ?? (model.loading ? strings.loading : (refused ? strings.text("overview.no-access") : strings.notFoundAnywhere))
        var used = screen.put(" \(name)", x: 0, y: 0, style: Style(bold: true, reverse: true), maxWidth: width)
        used += screen.put("  " + facts.joined(separator: "  "), x: used, y: 0, style: theme.bar, maxWidth: width - used)
        var second: [String] = []
        if let address = patient?.address { second.append(address + (patient?.municipalityName.map { " (\($0))" } ?? "")) }
        if let gp = patient?.generalPractitioner { second.append("\(strings.gp): \(gp)") }
        screen.put(" " + second.joined(separator: "  \(model.glyphs.bullet)  "), x: 0, y: 1, style: theme.plain, maxWidth: width)
        let flags = model.overview?.flags ?? []
        if !flags.isEmpty {
            let label = strings.note
            screen.put(
                " \(label): " + flags.map { strings.text($0) }.joined(separator: "  \(model.glyphs.bullet)  "), x: 0, y: 2,
                style: theme.flag, maxWidth: width)
        }
        sourceLine(&screen, model, theme, y: 3)
        return 4
    }

    /// One line, always visible: every source with its state in words (and colour).
    static func sourceLine(_ screen: inout Screen, _ model: Model, _ theme: Theme, y: Int) {
        let strings = model.strings
        var x = screen.put(" \(strings.sources): ", x: 0, y: y, style: theme.dim)
        guard let statuses = model.overview?.sources else {
            screen.put(strings.fetchingFrom(model.sourceCount), x: x, y: y, style: theme.dim, maxWidth: screen.width - x)
            return
        }
        var problem: String?
        for (index, status) in statuses.enumerated() {
            if index > 0 { x += screen.put("  ", x: x, y: y) }
            x += screen.put(strings.sectorTag(status.sector) + " ", x: x, y: y, style: theme.header, maxWidth: screen.width - x)
            x += screen.put(
                strings.sourceState(status, now: model.now), x: x, y: y, style: theme.state(status.state),
                maxWidth: screen.width - x)
            if problem == nil, [.error, .timedOut, .stale, .denied, .withheld].contains(status.state),
                let message = status.message
            {
                problem = "\(strings.sectorTag(status.sector)): \(strings.text(message))"
            }
        }
        if let problem, screen.width - x > 12 {
            let room = screen.width - x - 2
            screen.put(
                "  " + DisplayWidth.truncate(problem, to: room, ellipsis: model.glyphs.ellipsis), x: x, y: y,
                style: theme.dim, maxWidth: screen.width - x)
        }
    }

    /// The first row to show so that `selected` is visible in `rows` rows.
    static func scrollOffset(selected: Int, count: Int, rows: Int) -> Int {
        guard count > rows, rows > 0 else { return 0 }
        return min(max(0, selected - rows / 2), count - rows)
    }

    /// An item as one row: date, title, state or flag in words, and the sector of every source.
    static func itemRow(_ item: OverviewItem, width: Int, model: Model) -> (String, String, String) {
        let strings = model.strings
        let date = DisplayWidth.pad(strings.date(item.date).prefix(10).description, to: 10)
        let tags = item.sources.map { strings.sectorTag($0.sector) }.uniqued().joined(separator: "+")
        let state = item.flag.map { "! \(strings.text($0))" } ?? strings.text(item.status) ?? ""
        return (
            date, strings.text(item.title) + (strings.text(item.detail).map { " \(model.glyphs.bullet) \($0)" } ?? ""),
            state + (tags.isEmpty ? "" : "  " + tags)
        )
    }

    /// The rows of a list inside a box (x, y, width, height are the box's inside).
    static func drawItems(
        _ screen: inout Screen, _ items: [OverviewItem], selected: Int?, x: Int, y: Int, width: Int, height: Int, model: Model,
        theme: Theme, empty: String
    ) {
        guard height > 0, width > 4 else { return }
        if items.isEmpty {
            screen.put(empty, x: x + 1, y: y, style: theme.dim, maxWidth: width - 1)
            return
        }
        let offset = scrollOffset(selected: selected ?? 0, count: items.count, rows: height)
        for row in 0..<min(height, items.count - offset) {
            let index = offset + row
            let item = items[index]
            let (date, title, right) = itemRow(item, width: width, model: model)
            let isSelected = index == selected
            let rowStyle = isSelected ? theme.selected : theme.plain
            if isSelected { screen.fill(x: x, y: y + row, width: width, height: 1, style: theme.selected) }
            let marker = isSelected ? String(model.glyphs.selected) : " "
            var used = screen.put(marker + date + " ", x: x, y: y + row, style: rowStyle, maxWidth: width)
            let rightWidth = min(DisplayWidth.of(right), max(0, width - used - 12))
            let titleWidth = max(0, width - used - rightWidth - 1)
            used += screen.put(
                DisplayWidth.truncate(title, to: titleWidth, ellipsis: model.glyphs.ellipsis), x: x + used, y: y + row,
                style: rowStyle, maxWidth: titleWidth)
            let rightStyle = isSelected ? theme.selected : (item.flag != nil ? theme.flag : theme.dim)
            screen.put(
                DisplayWidth.truncate(right, to: rightWidth, ellipsis: model.glyphs.ellipsis), x: x + width - rightWidth,
                y: y + row, style: rightStyle, maxWidth: rightWidth)
        }
        // Where the selection is, on the frame's bottom edge below the list (both callers draw the list in a box), so
        // it never covers a row's text.
        if items.count > height {
            let position = " \(min(items.count, (selected ?? 0) + 1))/\(items.count) "
            screen.put(position, x: x + width - DisplayWidth.of(position) - 1, y: y + height, style: theme.dim)
        }
    }
}

extension Array where Element: Hashable {
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
