import FHIR
import Foundation
import Terminal

/// Notifications from the event stream, newest first; Enter opens the patient.
enum NotificationsView {
    static func draw(_ screen: inout Screen, _ model: Model, _ theme: Theme) {
        Chrome.titleBar(&screen, model.strings.notificationsTitle, model, theme)
        let list = model.notifications.log
        let height = screen.height - 2
        screen.box(
            x: 0, y: 1, width: screen.width, height: height, glyphs: model.glyphs, style: theme.activeFrame,
            title: "\(model.strings.notificationsTitle) (\(list.count))", titleStyle: theme.title)
        if list.isEmpty {
            let hint = model.connection == nil ? model.strings.text("notifications.no-engine") : ""
            screen.put(" " + model.strings.noNotifications + hint, x: 1, y: 2, style: theme.dim, maxWidth: screen.width - 2)
        }
        let rows = height - 2
        let offset = Chrome.scrollOffset(selected: model.notifications.selection, count: list.count, rows: rows)
        for (row, entry) in list.dropFirst(offset).prefix(rows).enumerated() {
            let selected = offset + row == model.notifications.selection
            if selected { screen.fill(x: 1, y: 2 + row, width: screen.width - 2, height: 1, style: theme.selected) }
            // Cut with an ellipsis, so a cut line says so.
            let room = screen.width - 3
            screen.put(
                " " + DisplayWidth.truncate(entry.text(model.language), to: room, ellipsis: model.glyphs.ellipsis), x: 1,
                y: 2 + row, style: selected ? theme.selected : theme.plain, maxWidth: screen.width - 2)
        }
    }
}
