import FHIR
import Federation
import Foundation
import Terminal

/// The whole of one thing: an item (when, what state, from where and how fresh, and its full text), every value of
/// a trend, or one line of the access log; wrapped and scrollable.
enum DetailView {
    struct Line {
        enum Kind { case title, label, text, flag, dim }
        let text: String
        let kind: Kind

        func style(_ theme: Theme) -> Style {
            switch kind {
            case .title: return theme.title
            case .label: return theme.header
            case .text: return theme.plain
            case .flag: return theme.flag
            case .dim: return theme.dim
            }
        }
    }

    static func lines(_ content: DetailContent, model: Model, width: Int) -> [Line] {
        let strings = model.strings
        func wrapped(_ text: String, _ kind: Line.Kind) -> [Line] {
            DisplayWidth.wrap(text, to: width).map { Line(text: $0, kind: kind) }
        }
        switch content {
        case .item(let item):
            var lines = wrapped(strings.text(item.title), .title)
            lines.append(Line(text: "\(strings.date): \(strings.date(item.date))", kind: .label))
            if let status = strings.text(item.status) { lines.append(Line(text: "\(strings.status): \(status)", kind: .label)) }
            if let flag = strings.text(item.flag) { lines.append(Line(text: "\(strings.note): \(flag)", kind: .flag)) }
            for source in item.sources {
                let fetched = strings.fetchedAgo(max(0, model.now.timeIntervalSince(source.fetchedAt)))
                lines += wrapped(
                    strings.text(
                        "detail.from-source",
                        ["source": .text(source.sourceName), "reference": .text(source.reference), "fetched": .text(fetched)]),
                    .dim)
            }
            // The second line only when it says more than the title (a care plan's description is its text too).
            if let detail = strings.text(item.detail), !detail.isEmpty, detail != item.text {
                lines += wrapped(detail, .text)
            }
            if let text = item.text, !text.isEmpty {
                lines.append(Line(text: "", kind: .text))
                lines += wrapped(text, .text)
            }
            return lines
        case .trend(let trend):
            var lines = wrapped(trend.title, .title)
            lines.append(Line(text: "\(strings.date): \(strings.date(trend.latest?.date))", kind: .label))
            lines.append(Line(text: strings.measurements(trend.points.count), kind: .text))
            lines.append(Line(text: "", kind: .text))
            // Every measurement, newest first, with its flag in words.
            for point in trend.points.reversed() {
                let flag = Federation.CodePhrases.interpretation(point.flag).map { "  " + strings.text($0) } ?? ""
                lines += wrapped(
                    "\(DanishFormat.date(point.date))  \(strings.number(point.value)) \(trend.unit ?? "")" + flag, .text)
            }
            return lines
        case .access(let group):
            var lines = wrapped(group.first.who, .title)
            lines.append(
                Line(
                    text: "\(strings.date): \(DanishFormat.date(FHIRDateTime(date: group.to, precision: .minute)))", kind: .label)
            )
            lines.append(Line(text: "", kind: .text))
            for line in AccessLogView.detailLines(group, strings, own: model.ownLog) { lines += wrapped(line, .text) }
            return lines
        }
    }

    static func title(_ content: DetailContent, _ strings: Strings) -> String {
        switch content {
        case .item(let item): return strings.sectionTitle(item.section)
        case .trend: return strings.sectionTitle(.labs)
        case .access: return strings.text("detail.log-entry")
        }
    }

    static func draw(_ screen: inout Screen, _ model: Model, _ theme: Theme) {
        let top = model.cpr == nil ? 1 : Chrome.patientHeader(&screen, model, theme)
        if model.cpr == nil { Chrome.titleBar(&screen, model.strings.detailTitle, model, theme) }
        guard let content = model.detail.content else { return }
        let height = screen.height - 1 - top
        screen.box(
            x: 0, y: top, width: screen.width, height: height, glyphs: model.glyphs, style: theme.activeFrame,
            title: title(content, model.strings), titleStyle: theme.title)
        let all = lines(content, model: model, width: screen.width - 4)
        let rows = height - 2
        let offset = min(model.detail.scroll, max(0, all.count - rows))
        for (row, line) in all.dropFirst(offset).prefix(rows).enumerated() {
            screen.put(line.text, x: 2, y: top + 1 + row, style: line.style(theme), maxWidth: screen.width - 4)
        }
        if all.count > rows {
            let position = "\(offset + 1)-\(min(all.count, offset + rows))/\(all.count)"
            screen.put(position, x: screen.width - DisplayWidth.of(position) - 2, y: top + height - 1, style: theme.dim)
        }
    }
}
