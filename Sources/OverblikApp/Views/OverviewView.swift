import FHIR
import Federation
import Foundation
import Terminal

/// One patient: header, source line, and the sections as panes. Narrow terminals show one pane with numbered
/// tabs; wide ones a column of sections, the items, and a preview of the selected item.
enum OverviewView {
    static let wideThreshold = 120

    static func draw(_ screen: inout Screen, _ model: Model, _ theme: Theme) {
        let top = Chrome.patientHeader(&screen, model, theme)
        let bottom = screen.height - 1
        let strings = model.strings
        guard let overview = model.overview else {
            screen.put(" " + strings.fetchingFrom(model.sourceCount), x: 0, y: top + 1, style: theme.dim)
            return
        }
        if !overview.isFound, !model.loading {
            // Wrapped, never cut: the reason and what to do about it are the whole screen here.
            let text = strings.nothingShown(overview, offersEmergency: model.offersEmergency)
            for (row, line) in DisplayWidth.wrap(text, to: max(10, screen.width - 2)).enumerated()
            where top + 1 + row < screen.height - 1 {
                screen.put(" " + line, x: 0, y: top + 1 + row, style: theme.warning, maxWidth: screen.width - 1)
            }
            return
        }
        let counts = Dictionary(uniqueKeysWithValues: SectionKind.allCases.map { ($0, model.paneItems($0).count) })
        if screen.width >= wideThreshold {
            let columnWidth = 28
            screen.box(x: 0, y: top, width: columnWidth, height: bottom - top, glyphs: model.glyphs, style: theme.frame)
            for (index, kind) in SectionKind.allCases.enumerated() where top + 1 + index < bottom - 1 {
                let active = kind == model.sections.pane
                let label = " \(index + 1) \(strings.sectionTitle(kind))"
                let count = "\(counts[kind] ?? 0) "
                let style = active ? theme.selected : theme.plain
                if active { screen.fill(x: 1, y: top + 1 + index, width: columnWidth - 2, height: 1, style: style) }
                let room = columnWidth - 3 - DisplayWidth.of(count)
                screen.put(
                    DisplayWidth.truncate(label, to: room, ellipsis: model.glyphs.ellipsis), x: 1, y: top + 1 + index,
                    style: style, maxWidth: room)
                screen.put(
                    count, x: columnWidth - 1 - DisplayWidth.of(count), y: top + 1 + index, style: active ? style : theme.dim)
            }
            let previewWidth = screen.width >= 150 ? max(40, screen.width / 3) : 0
            let listWidth = screen.width - columnWidth - previewWidth
            pane(&screen, model, theme, x: columnWidth, y: top, width: listWidth, height: bottom - top)
            if previewWidth > 0 {
                preview(&screen, model, theme, x: columnWidth + listWidth, y: top, width: previewWidth, height: bottom - top)
            }
        } else {
            // Tabs: the numbers of all sections, the active one with its title and count.
            var x = 1
            for (index, kind) in SectionKind.allCases.enumerated() {
                let active = kind == model.sections.pane
                let text = active ? " \(index + 1) \(strings.sectionTitle(kind)) (\(counts[kind] ?? 0)) " : " \(index + 1) "
                x += screen.put(text, x: x, y: top, style: active ? theme.selected : theme.dim, maxWidth: screen.width - x)
            }
            pane(&screen, model, theme, x: 0, y: top + 1, width: screen.width, height: bottom - top - 1)
        }
    }

    static func pane(_ screen: inout Screen, _ model: Model, _ theme: Theme, x: Int, y: Int, width: Int, height: Int) {
        let title = model.listTitle(model.strings.sectionTitle(model.sections.pane))
        screen.box(
            x: x, y: y, width: width, height: height, glyphs: model.glyphs, style: theme.activeFrame, title: title,
            titleStyle: theme.title)
        let items = model.paneItems()
        let selected = items.isEmpty ? nil : min(model.sections.selection[model.sections.pane] ?? 0, items.count - 1)
        Chrome.drawItems(
            &screen, items, selected: selected, x: x + 1, y: y + 1, width: width - 2, height: height - 2, model: model,
            theme: theme,
            empty: model.loading ? model.strings.loading : model.strings.emptyList(model.overview))
    }

    static func preview(_ screen: inout Screen, _ model: Model, _ theme: Theme, x: Int, y: Int, width: Int, height: Int) {
        screen.box(
            x: x, y: y, width: width, height: height, glyphs: model.glyphs, style: theme.frame, title: model.strings.detailTitle)
        let items = model.paneItems()
        guard !items.isEmpty else { return }
        let item = items[min(model.sections.selection[model.sections.pane] ?? 0, items.count - 1)]
        let lines = DetailView.lines(.item(item), model: model, width: width - 4)
        for (row, line) in lines.prefix(height - 2).enumerated() {
            screen.put(line.text, x: x + 2, y: y + 1 + row, style: line.style(theme), maxWidth: width - 4)
        }
    }
}
