import FHIR
import Federation
import Foundation
import Terminal

/// Find a patient: CPR or name, the emergency department's board, recent patients, name search results.
enum SearchView {
    static func draw(_ screen: inout Screen, _ model: Model, _ theme: Theme) {
        let strings = model.strings
        Chrome.titleBar(&screen, strings.searchTitle, model, theme)
        var x = screen.put(" " + strings.searchPrompt, x: 0, y: 2, style: theme.header)
        let field = max(12, min(40, screen.width - x - 2))
        screen.fill(x: x, y: 2, width: field, height: 1, style: theme.input)
        screen.put(model.search.input, x: x, y: 2, style: theme.input, maxWidth: field)
        if model.command == nil, !model.filterEditing {
            screen.cursor = (min(x + DisplayWidth.of(model.search.input), x + field - 1), 2)
        }
        x += field
        screen.put(" " + strings.searchHint, x: 0, y: 3, style: theme.dim, maxWidth: screen.width)

        var y = 5
        let bottom = screen.height - 2
        let entries = model.searchEntries
        let selected = model.search.selection
        func header(_ text: String) {
            guard y <= bottom else { return }
            screen.put(" " + text, x: 0, y: y, style: theme.title, maxWidth: screen.width)
            y += 1
        }
        func row(_ index: Int, _ text: String, _ right: String, flagged: Bool = false) {
            guard y <= bottom else { return }
            let isSelected = index == selected
            if isSelected { screen.fill(x: 0, y: y, width: screen.width, height: 1, style: theme.selected) }
            let style = isSelected ? theme.selected : theme.plain
            let left = (isSelected ? String(model.glyphs.selected) : " ") + " " + text
            // The name and CPR always show whole; the reason gets what is left.
            let rightWidth = min(DisplayWidth.of(right), max(0, screen.width - DisplayWidth.of(left) - 5))
            screen.put(left, x: 1, y: y, style: style, maxWidth: screen.width - rightWidth - 3)
            screen.put(
                DisplayWidth.truncate(right, to: rightWidth, ellipsis: model.glyphs.ellipsis), x: screen.width - rightWidth - 1,
                y: y,
                style: isSelected ? style : (flagged ? theme.warning : theme.dim), maxWidth: rightWidth)
            y += 1
        }
        if model.search.matches != nil {
            header("\(strings.matchesTitle): \"\(model.search.matchesQuery ?? "")\"")
            // Left out for lack of access: "no one found" may mean "no one you may see".
            for note in model.search.leftOut where y < bottom {
                screen.put("   " + strings.text(note), x: 0, y: y, style: theme.warning, maxWidth: screen.width)
                y += 1
            }
            if entries.isEmpty { screen.put("   " + strings.noMatches, x: 0, y: y, style: theme.dim) }
            let offset = Chrome.scrollOffset(selected: selected, count: entries.count, rows: bottom - y + 1)
            for (index, entry) in entries.enumerated().dropFirst(offset) {
                guard case .match(let match) = entry else { continue }
                let born = match.birthDate.map { "  " + DanishFormat.date($0) } ?? ""
                row(index, "\(match.cpr.formatted)  \(match.name)\(born)", match.sources.joined(separator: ", "))
            }
            return
        }
        if model.boardEnabled {
            let age =
                model.search.boardFetchedAt.map { at in
                    "  (" + strings.fetchedAgo(model.now.timeIntervalSince(at)) + ")"
                } ?? ""
            header("\(strings.boardTitle) (\(model.search.board.count))\(age)")
            if let message = model.search.boardMessage {
                // A failed source: the board (if any) is as old as its heading says.
                screen.put(
                    "   "
                        + strings.text("search.error", ["text": .text(message.map { strings.text($0) }.joined(separator: "; "))]),
                    x: 0, y: y, style: theme.error, maxWidth: screen.width)
                y += 1
            }
            if model.search.board.isEmpty, model.search.boardMessage == nil {
                screen.put(
                    "   "
                        + (model.search.boardFetchedAt == nil
                            ? strings.loading : (model.viaGateway ? strings.noBoardForYou : strings.noBoard)),
                    x: 0, y: y, style: theme.dim)
                y += 1
            }
        }
        for (index, entry) in entries.enumerated() {
            switch entry {
            case .board(let board):
                let time = board.arrivedAt.map { DanishFormat.date($0).suffix(5).description } ?? "--:--"
                let reason = [board.reason, board.department].compactMap { $0 }.joined(separator: " \(model.glyphs.bullet) ")
                row(index, "\(time)  \(board.name)  \(board.cpr.formatted)", reason, flagged: true)
            case .recent(let recent):
                if index == model.search.board.count {
                    y += 1
                    header(strings.recentTitle)
                }
                row(index, "\(recent.cpr.formatted)  \(recent.name)", "")
            case .match:
                break
            }
        }
        if model.search.recent.isEmpty, y + 1 <= bottom {
            y += 1
            header(strings.recentTitle)
            screen.put("   " + strings.noRecent, x: 0, y: y, style: theme.dim)
        }
    }
}
