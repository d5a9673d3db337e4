import EventStream
import FHIR
import Federation
import Foundation
import Terminal

// Notifications from the event stream: the list, the toast, what is forgotten and reloaded.
extension Update {
    /// A notification: into the list (newest first) and the toast line; the patient's cached data from that source
    /// is forgotten, and an open overview of the patient and the ED board reload by themselves.
    static func notify(_ event: EventNotification, _ model: inout Model) -> [Effect] {
        guard let cpr = event.cpr else { return [] }
        let name = knownName(cpr, model)
        if let name, model.patientNames[cpr] == nil {
            if model.patientNames.count >= 2000 { model.patientNames.removeAll() }
            model.patientNames[cpr] = name
        }
        let entry = NotificationEntry(cpr: cpr, event: event, name: name, at: model.now)
        model.notifications.log.add(entry)
        if model.screen == .notifications, model.notifications.selection > 0 { model.notifications.selection += 1 }
        toast(entry.text(model.language), &model)
        var effects: [Effect] = [.invalidate(cpr, source: event.sourceID)]
        if model.cpr == cpr, model.screen != .search { effects.append(.loadOverview(cpr, refresh: false)) }
        if model.boardEnabled, NotificationText.changesBoard(event.code) { effects.append(.loadBoard) }
        if name == nil { effects.append(.lookupName(cpr)) }
        return effects
    }

    static func knownName(_ cpr: CPRNumber, _ model: Model) -> String? {
        if model.cpr == cpr, let name = model.overview?.patient?.name { return name }
        if let entry = model.search.board.first(where: { $0.cpr == cpr }) { return entry.name }
        if let entry = model.search.recent.first(where: { $0.cpr == cpr }) { return entry.name }
        return model.patientNames[cpr]
    }
}
