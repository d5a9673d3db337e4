import EventStream
import FHIR
import Foundation
import Words

/// What a notification says, in Danish or English: "Bruno Test Elmer (250947-9989) er ankommet til
/// akutmodtagelsen, Herlev 14:32".
enum NotificationText {
    static func sentence(_ event: EventNotification, name: String?, cpr: CPRNumber, language: Language) -> String {
        let strings = Strings.for(language)
        let who = (name.map { $0 + " " } ?? "") + "(\(cpr.formatted))"
        let place = event.organizationName.map(lowercasedFirst)
        let time = event.timestamp.map(clock) ?? ""
        let code = event.code
        let base = code.hasPrefix("RE_") || code.hasPrefix("AN_") ? String(code.dropFirst(3)) : code
        /// `id` with the place, `alone` without it.
        func said(_ id: String, _ alone: String) -> String {
            if let place { return strings.text(id, ["who": .text(who), "place": .text(place)]) }
            return strings.text(alone, ["who": .text(who)])
        }
        var text: String
        switch base {
        case "STAA":
            text = strings.text(
                "notification.arrived", ["who": .text(who), "place": .text(place ?? strings.text("notification.the-ed"))])
        case "STIN": text = said("notification.admitted-at", "notification.admitted")
        case "STOR": text = said("notification.on-leave-from", "notification.on-leave")
        case "SLOR": text = said("notification.back-from-leave-at", "notification.back-from-leave")
        case "SLHJ": text = said("notification.discharged-from", "notification.discharged")
        case "MORS": text = strings.text("notification.died", ["who": .text(who)])
        case "lab-result": text = strings.text("notification.lab-result", ["who": .text(who)])
        case "discharge-letter": text = said("notification.discharge-letter-from", "notification.discharge-letter")
        case "home-care-note": text = strings.text("notification.home-care-note", ["who": .text(who)])
        case "appointment-booked": text = strings.text("notification.appointment-booked", ["who": .text(who)])
        case "appointment-changed": text = strings.text("notification.appointment-changed", ["who": .text(who)])
        default: text = strings.text("notification.other", ["who": .text(who), "code": .text(code)])
        }
        if code.hasPrefix("RE_") { text = strings.text("notification.correction", ["text": .text(text)]) }
        if code.hasPrefix("AN_") { text = strings.text("notification.cancelled", ["text": .text(text)]) }
        // The time first: a line cut at the window's edge keeps when it happened (and a correction's word).
        return time.isEmpty ? text : time + " " + text
    }

    /// Arrivals, discharges and the like change who is in akutmodtagelsen.
    static func changesBoard(_ code: String) -> Bool {
        let base = code.hasPrefix("RE_") || code.hasPrefix("AN_") ? String(code.dropFirst(3)) : code
        return ["STAA", "STIN", "SLHJ", "MORS", "STOR", "SLOR"].contains(base)
    }

    static func lowercasedFirst(_ text: String) -> String {
        guard let first = text.first else { return text }
        return first.lowercased() + text.dropFirst()
    }

    static func clock(_ date: Date) -> String { CivilTime(date).clock }
}
