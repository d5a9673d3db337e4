import Foundation
import Terminal

/// The last row: the command line or filter being typed, else a message, else the main keys.
enum BottomBar {
    static func draw(_ screen: inout Screen, _ model: Model, _ theme: Theme) {
        let y = screen.height - 1
        screen.fill(x: 0, y: y, width: screen.width, height: 1, style: theme.plain)
        if let command = model.command {
            let used = screen.put(":" + command, x: 0, y: y, style: theme.header)
            screen.cursor = (min(used, screen.width - 1), y)
            return
        }
        if model.filterEditing {
            let used = screen.put("/" + model.filterText, x: 0, y: y, style: theme.header)
            screen.cursor = (min(used, screen.width - 1), y)
            return
        }
        if let toast = model.toast {
            screen.put(
                " " + DisplayWidth.truncate(toast, to: screen.width - 1, ellipsis: model.glyphs.ellipsis), x: 0, y: y,
                style: theme.warning, maxWidth: screen.width)
            return
        }
        let s = model.strings
        var hints: [(String, String)]
        switch model.screen {
        case .search:
            // Letters are typed into the search field here (a name may begin with any of them).
            hints = [
                ("Enter", s.text("hint.open")), (model.glyphs.isUnicode ? "↑↓" : "Up/Down", s.text("hint.select")),
                ("F5", s.text("hint.refresh")), (":n", s.notificationsTitle.lowercased()), ("?", s.text("hint.help")),
                ("Ctrl-C", s.text("hint.quit")),
            ]
        case .overview:
            hints = [
                ("1-8/Tab", s.text("hint.section")), ("Enter", s.text("hint.details")),
                ("t", s.text("hint.timeline")), ("L", s.text("hint.lab")), ("/", s.text("hint.filter")),
                ("r", s.text("hint.refresh")), ("Esc", s.text("hint.back")), ("?", s.text("hint.help")),
            ]
        case .timeline:
            hints = [
                ("s", s.sector), ("y", s.type), ("p", s.period), ("Enter", s.text("hint.details")),
                ("/", s.text("hint.filter")), ("Esc", s.text("hint.back")), ("?", s.text("hint.help")),
            ]
        case .trends:
            hints = [
                ("Enter", s.text("hint.all-values")), ("/", s.text("hint.filter")), ("Esc", s.text("hint.back")),
                ("?", s.text("hint.help")),
            ]
        case .accessLog:
            hints = [
                ("↑↓", s.text("hint.scroll")), ("r", s.text("hint.refresh")), ("Esc", s.text("hint.back")),
                ("q", s.text("hint.quit")),
            ]
        case .notifications:
            hints = [
                ("Enter", s.text("hint.open-patient")), ("↑↓", s.text("hint.select")),
                ("Esc", s.text("hint.back")), ("q", s.text("hint.quit")),
            ]
        case .detail, .help:
            hints = [("↑↓ PgUp PgDn", s.text("hint.scroll")), ("Esc", s.text("hint.back")), ("q", s.text("hint.quit"))]
        }
        if model.viaGateway {
            let refused = model.overview?.sources.contains { [.denied, .withheld].contains($0.state) } == true
            if model.screen == .overview, refused, model.emergencyAllowed {
                hints.insert(("!", s.text("hint.emergency")), at: 0)
            }
            if model.screen == .search { hints.insert((":log", s.text("hint.my-log")), at: hints.count - 2) }
            if model.screen == .notifications { hints.insert(("M", s.text("hint.my-log")), at: hints.count - 2) }
        }
        if !model.glyphs.isUnicode { hints = hints.map { ($0.0.replacingOccurrences(of: "↑↓", with: "j/k"), $0.1) } }
        var x = 1
        for (key, text) in hints {
            let needed = DisplayWidth.of(key) + DisplayWidth.of(text) + 3
            if x + needed > screen.width { break }
            x += screen.put(key, x: x, y: y, style: theme.key)
            x += screen.put(" " + text + "  ", x: x, y: y, style: theme.dim)
        }
        if model.loading {
            let text = s.loading
            screen.put(text, x: screen.width - DisplayWidth.of(text) - 1, y: y, style: theme.warning)
        }
    }
}
