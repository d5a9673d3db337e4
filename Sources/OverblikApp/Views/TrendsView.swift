import FHIR
import Federation
import Foundation
import Terminal

/// Each analysis over time: the latest value with its flag in words, a sparkline of recent values, the count.
enum TrendsView {
    static func draw(_ screen: inout Screen, _ model: Model, _ theme: Theme) {
        let top = Chrome.patientHeader(&screen, model, theme)
        let strings = model.strings
        let trends = model.trendItems
        let height = screen.height - 1 - top
        let title = model.listTitle("\(strings.trendsTitle) (\(trends.count))")
        screen.box(
            x: 0, y: top, width: screen.width, height: height, glyphs: model.glyphs, style: theme.activeFrame, title: title,
            titleStyle: theme.title)
        let rows = height - 2
        let inner = screen.width - 2
        let sparkWidth = max(8, min(40, inner - 66))
        let offset = Chrome.scrollOffset(selected: model.trends.selection, count: trends.count, rows: rows)
        if trends.isEmpty {
            screen.put(" " + strings.emptyList(model.overview), x: 1, y: top + 1, style: theme.dim, maxWidth: inner)
        }
        for (row, trend) in trends.dropFirst(offset).prefix(rows).enumerated() {
            let index = offset + row
            let y = top + 1 + row
            let selected = index == model.trends.selection
            if selected { screen.fill(x: 1, y: y, width: inner, height: 1, style: theme.selected) }
            let base = selected ? theme.selected : theme.plain
            let latest = trend.latest
            let value = latest.map { strings.number($0.value) + (trend.unit.map { " \($0)" } ?? "") } ?? ""
            let flag = strings.text(CodePhrases.interpretation(latest?.flag))
            var x = 1
            x += screen.put(
                (selected ? String(model.glyphs.selected) : " ") + DisplayWidth.pad(trend.title, to: 24), x: x, y: y, style: base,
                maxWidth: inner)
            x += screen.put(
                " " + DisplayWidth.pad(value, to: 14), x: x, y: y, style: base.bold ? base : Style(bold: true, reverse: selected))
            x += screen.put(
                " " + DisplayWidth.pad(flag ?? "", to: 10), x: x, y: y,
                style: selected ? base : (flag == nil ? theme.dim : theme.flag))
            let values = trend.points.suffix(sparkWidth).map(\.value)
            x += screen.put(
                " " + model.glyphs.sparkline(values), x: x, y: y, style: selected ? base : theme.title, maxWidth: sparkWidth + 1)
            let count = " " + strings.measurements(trend.points.count)
            screen.put(count, x: x, y: y, style: selected ? base : theme.dim, maxWidth: max(0, inner + 1 - x))
        }
    }
}
