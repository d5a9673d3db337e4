import FHIR
import Federation
import Foundation
import Terminal
import Words

/// The open patient's summary (IPS) as the gateway's `$summary` gave it to this user: each section with its items,
/// and for a section without any the reason in words (withheld, unavailable, none registered), never an empty list;
/// when it was fetched; scrollable, `E` saves the document.
enum SummaryView {
    struct Line {
        enum Kind { case section, item, note, withheld, unavailable, none, selected }
        let text: String
        let kind: Kind

        func style(_ theme: Theme) -> Style {
            switch kind {
            case .section: return theme.title
            case .item: return theme.plain
            case .note: return theme.dim
            case .withheld: return theme.warning
            case .unavailable: return theme.error
            case .none: return theme.dim
            case .selected: return theme.selected
            }
        }
    }

    /// The document as wrapped lines of `width` columns.
    static func lines(_ document: SummaryDocument, width: Int, glyphs: Glyphs) -> [Line] {
        var lines: [Line] = []
        func add(_ text: String, _ kind: Line.Kind, indent: String, first: String) {
            for (index, part) in DisplayWidth.wrap(text, to: max(10, width - DisplayWidth.of(indent))).enumerated() {
                lines.append(Line(text: (index == 0 ? first : indent) + part, kind: kind))
            }
        }
        for section in document.sections {
            if !lines.isEmpty { lines.append(Line(text: "", kind: .item)) }
            add(section.title, .section, indent: "", first: "")
            for item in section.items { add(item, .item, indent: "    ", first: "  \(glyphs.bullet) ") }
            let kind: Line.Kind =
                switch section.emptyReason {
                case "withheld": .withheld
                case "unavailable": .unavailable
                case nil: .note
                default: .none
                }
            for note in section.notes { add(note, kind, indent: "    ", first: "  ") }
        }
        return lines
    }

    static func draw(_ screen: inout Screen, _ model: Model, _ theme: Theme) {
        let strings = model.strings
        let summary = model.summary
        let name = summary.document?.patientName ?? model.overview?.patient?.name
        let title = [summary.document?.title ?? strings.text("summary.title"), name, summary.cpr?.formatted]
            .compactMap { $0 }.joined(separator: " \(model.glyphs.bullet) ")
        Chrome.titleBar(&screen, title, model, theme)
        var state: String
        if let fetched = summary.fetchedAt {
            state = strings.text(
                "summary.fetched", ["age": .text(strings.age(max(0, model.now.timeIntervalSince(fetched))))])
        } else {
            state = summary.error == nil ? strings.text("summary.loading") : ""
        }
        if summary.cpr.map(model.emergencyCPRs.contains) == true { state += "  " + strings.text("header.emergency") }
        screen.put(" " + state, x: 0, y: 1, style: summary.fetchedAt == nil ? theme.dim : theme.plain, maxWidth: screen.width)
        box(
            &screen, title: strings.text("summary.box-title"), error: summary.error,
            lines: summary.document.map { lines($0, width: screen.width - 4, glyphs: model.glyphs) } ?? [],
            scroll: summary.scroll, model, theme)
    }

    /// The box under the title and state lines: `error` in words, or `lines` from `scroll` on, with the position in
    /// the frame when there are more than it shows (as the lists do).
    /// `pinned` lines stay at the top of the box, above the ones that scroll.
    static func box(
        _ screen: inout Screen, title: String, error: Phrase?, pinned: [Line] = [], lines: [Line], scroll: Int,
        _ model: Model, _ theme: Theme
    ) {
        let inner = screen.width - 2
        let height = screen.height - 3
        screen.box(
            x: 0, y: 2, width: screen.width, height: height, glyphs: model.glyphs, style: theme.activeFrame,
            title: title, titleStyle: theme.title)
        if let error {
            for (row, line) in DisplayWidth.wrap(model.strings.text(error), to: inner - 2).prefix(height - 2).enumerated() {
                screen.put(" " + line, x: 1, y: 3 + row, style: theme.error, maxWidth: inner)
            }
            return
        }
        let top = min(pinned.count, max(0, height - 3))
        for (row, line) in pinned.prefix(top).enumerated() {
            screen.put(" " + line.text, x: 1, y: 3 + row, style: line.style(theme), maxWidth: inner)
        }
        let rows = height - 2 - top
        let offset = min(scroll, max(0, lines.count - rows))
        for (row, line) in lines.dropFirst(offset).prefix(rows).enumerated() {
            let y = 3 + top + row
            if line.kind == .selected { screen.fill(x: 1, y: y, width: inner, height: 1, style: theme.selected) }
            screen.put(" " + line.text, x: 1, y: y, style: line.style(theme), maxWidth: inner)
        }
        if lines.count > rows {
            let position = " \(min(offset + rows, lines.count))/\(lines.count) "
            screen.put(position, x: screen.width - DisplayWidth.of(position) - 2, y: 2 + height - 1, style: theme.dim)
        }
    }
}
