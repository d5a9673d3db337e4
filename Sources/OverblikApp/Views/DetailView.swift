import FHIR
import Federation
import Foundation
import Terminal

/// The whole of one item: when, what state, from where and how fresh, and its full text wrapped and scrollable.
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

    static func lines(_ item: OverviewItem, model: Model, width: Int) -> [Line] {
        let strings = model.strings
        var lines: [Line] = DisplayWidth.wrap(item.title, to: width).map { Line(text: $0, kind: .title) }
        lines.append(Line(text: "\(strings.date): \(DanishFormat.date(item.date))", kind: .label))
        if let status = strings.word(item.status) { lines.append(Line(text: "\(strings.status): \(status)", kind: .label)) }
        if let flag = strings.word(item.flag) { lines.append(Line(text: strings.t("OBS", "NOTE") + ": \(flag)", kind: .flag)) }
        for source in item.sources {
            let age = strings.age(max(0, model.now.timeIntervalSince(source.fetchedAt)))
            let fetched = strings.t("hentet for \(age) siden", "fetched \(age) ago")
            lines += DisplayWidth.wrap("\(strings.from) \(source.sourceName) (\(source.reference), \(fetched))", to: width)
                .map { Line(text: $0, kind: .dim) }
        }
        if let detail = item.detail, !detail.isEmpty {
            lines += DisplayWidth.wrap(detail, to: width).map { Line(text: $0, kind: .text) }
        }
        if let text = item.text, !text.isEmpty {
            lines.append(Line(text: "", kind: .text))
            lines += DisplayWidth.wrap(text, to: width).map { Line(text: $0, kind: .text) }
        }
        return lines
    }

    static func draw(_ screen: inout Screen, _ model: Model, _ theme: Theme) {
        let top = model.cpr == nil ? 1 : Chrome.patientHeader(&screen, model, theme)
        if model.cpr == nil { Chrome.titleBar(&screen, model.strings.detailTitle, model, theme) }
        guard let item = model.detail else { return }
        let height = screen.height - 1 - top
        screen.box(
            x: 0, y: top, width: screen.width, height: height, glyphs: model.glyphs, style: theme.activeFrame,
            title: item.resourceType == "AuditEvent"
                ? model.strings.t("Logpost", "Log entry") : model.strings.sectionTitle(item.section), titleStyle: theme.title)
        let all = lines(item, model: model, width: screen.width - 4)
        let rows = height - 2
        let offset = min(model.detailScroll, max(0, all.count - rows))
        for (row, line) in all.dropFirst(offset).prefix(rows).enumerated() {
            screen.put(line.text, x: 2, y: top + 1 + row, style: line.style(theme), maxWidth: screen.width - 4)
        }
        if all.count > rows {
            let position = "\(offset + 1)-\(min(all.count, offset + rows))/\(all.count)"
            screen.put(position, x: screen.width - DisplayWidth.of(position) - 2, y: top + height - 1, style: theme.dim)
        }
    }
}
