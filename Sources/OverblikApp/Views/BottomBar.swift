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
        let screenID = model.screen
        /// The first key of `action` on this screen, as help names it (on the search screen one that is not typed).
        func key(_ action: Action) -> String {
            let keys = model.keymap.keys(for: action, on: screenID).filter {
                screenID != .search || !Keymap.typedOnSearch($0, inputEmpty: true)
            }
            return keys.first.map { HelpView.label($0, model.glyphs, s) } ?? "?"
        }
        func hint(_ action: Action, _ id: String) -> (String, String) { (key(action), s.text(id)) }
        /// "↑↓" when the arrows move, else the letters ("j/k").
        var arrows: String {
            let up = model.keymap.keys(for: .up, on: screenID)
            let down = model.keymap.keys(for: .down, on: screenID)
            if up.contains(.up), down.contains(.down) {
                // On the search screen letters are typed: only the arrows move there.
                if model.glyphs.isUnicode { return "↑↓" }
                if screenID == .search { return "Up/Down" }
            }
            let letters = [down, up].compactMap { keys in keys.first { if case .character = $0 { true } else { false } } }
            return letters.map { HelpView.label($0, model.glyphs, s) }.joined(separator: "/")
        }
        var hints: [(String, String)]
        switch screenID {
        case .search:
            // Letters are typed into the search field here (a name may begin with any of them).
            hints = [
                hint(.open, "hint.open"), (arrows, s.text("hint.select")), hint(.refresh, "hint.refresh"),
                (":n", s.notificationsTitle.lowercased()), hint(.help, "hint.help"), hint(.quit, "hint.quit"),
            ]
        case .overview:
            hints = [
                ("\(key(.section1))-\(key(.section9))/\(key(.nextPane))", s.text("hint.section")),
                hint(.open, "hint.details"), hint(.timeline, "hint.timeline"), hint(.trends, "hint.lab"),
                hint(.filter, "hint.filter"), hint(.refresh, "hint.refresh"), hint(.back, "hint.back"),
                hint(.help, "hint.help"),
            ]
        case .timeline:
            hints = [
                (key(.cycleSector), s.sector), (key(.cycleType), s.type), (key(.cyclePeriod), s.period),
                hint(.open, "hint.details"), hint(.filter, "hint.filter"), hint(.back, "hint.back"), hint(.help, "hint.help"),
            ]
        case .trends:
            hints = [
                hint(.open, "hint.all-values"), hint(.filter, "hint.filter"), hint(.back, "hint.back"), hint(.help, "hint.help"),
            ]
        case .summary:
            hints = [
                (arrows, s.text("hint.scroll")), hint(.export, "hint.export"), hint(.refresh, "hint.refresh"),
                hint(.back, "hint.back"), hint(.help, "hint.help"),
            ]
        case .apps:
            hints = [
                hint(.open, "hint.start-app"), (arrows, s.text("hint.select")), hint(.refresh, "hint.refresh"),
                hint(.back, "hint.back"), hint(.help, "hint.help"),
            ]
        case .accessLog:
            hints = [
                (arrows, s.text("hint.scroll")), hint(.refresh, "hint.refresh"), hint(.back, "hint.back"),
                hint(.quit, "hint.quit"),
            ]
        case .notifications:
            hints = [
                hint(.open, "hint.open-patient"), (arrows, s.text("hint.select")), hint(.back, "hint.back"),
                hint(.quit, "hint.quit"),
            ]
        case .detail, .help:
            hints = [
                ("\(arrows) \(key(.pageUp)) \(key(.pageDown))", s.text("hint.scroll")), hint(.back, "hint.back"),
                hint(.quit, "hint.quit"),
            ]
        }
        if model.viaGateway {
            let refused = model.overview?.sources.contains { [.denied, .withheld].contains($0.state) } == true
            if screenID == .overview, refused, model.emergencyAllowed {
                hints.insert(hint(.emergency, "hint.emergency"), at: 0)
            }
            if screenID == .search { hints.insert((":log", s.text("hint.my-log")), at: hints.count - 2) }
            if screenID == .notifications { hints.insert(hint(.accessLog, "hint.my-log"), at: hints.count - 2) }
        }
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
