import FHIR
import Federation
import Foundation
import Terminal

/// Everything across sectors, newest first, filtered by sector, type and period.
enum TimelineView {
    static func draw(_ screen: inout Screen, _ model: Model, _ theme: Theme) {
        let top = Chrome.patientHeader(&screen, model, theme)
        let strings = model.strings
        let filters =
            "\(strings.sector): \(strings.sectorName(model.timeline.sector))  \(model.glyphs.bullet)  "
            + "\(strings.type): \(model.timeline.type.map(strings.sectionTitle) ?? strings.all)  \(model.glyphs.bullet)  "
            + "\(strings.period): \(strings.periodName(model.timeline.period))   (s / y / p)"
        screen.put(" " + filters, x: 0, y: top, style: theme.header, maxWidth: screen.width)
        let items = model.timelineItems
        let title = model.listTitle("\(strings.timelineTitle) (\(items.count))")
        let height = screen.height - 2 - top
        screen.box(
            x: 0, y: top + 1, width: screen.width, height: height, glyphs: model.glyphs, style: theme.activeFrame, title: title,
            titleStyle: theme.title)
        Chrome.drawItems(
            &screen, items, selected: items.isEmpty ? nil : model.timeline.selection, x: 1, y: top + 2, width: screen.width - 2,
            height: height - 2, model: model, theme: theme, empty: strings.emptyList(model.overview))
    }
}
