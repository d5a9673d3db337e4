import EventStream
import FHIR
import Foundation

/// What a notification says, in Danish or English: "Bruno Test Elmer (250947-9989) er ankommet til
/// akutmodtagelsen, Herlev 14:32".
enum NotificationText {
    static func sentence(_ event: EventNotification, name: String?, cpr: CPRNumber, language: Language) -> String {
        let da = language == .da
        let who = (name.map { $0 + " " } ?? "") + "(\(cpr.formatted))"
        let place = event.organizationName.map(lowercasedFirst)
        let time = event.timestamp.map(clock) ?? ""
        let code = event.code
        let base = code.hasPrefix("RE_") || code.hasPrefix("AN_") ? String(code.dropFirst(3)) : code
        var text: String
        switch base {
        case "STAA":
            text = da ? "\(who) er ankommet til \(place ?? "akutmodtagelsen")" : "\(who) has arrived at \(place ?? "the ED")"
        case "STIN":
            text =
                da
                ? "\(who) er indlagt" + (place.map { " på \($0)" } ?? "") : "\(who) admitted" + (place.map { " to \($0)" } ?? "")
        case "STOR":
            text =
                da
                ? "\(who) er gået på orlov" + (place.map { " fra \($0)" } ?? "")
                : "\(who) on leave" + (place.map { " from \($0)" } ?? "")
        case "SLOR":
            text =
                da
                ? "\(who) er tilbage fra orlov" + (place.map { ", \($0)" } ?? "")
                : "\(who) back from leave" + (place.map { ", \($0)" } ?? "")
        case "SLHJ":
            text =
                da
                ? "\(who) er udskrevet" + (place.map { " fra \($0)" } ?? "")
                : "\(who) discharged" + (place.map { " from \($0)" } ?? "")
        case "MORS": text = da ? "\(who) er død" : "\(who) has died"
        case "lab-result": text = da ? "Nyt laboratoriesvar: \(who)" : "New lab result: \(who)"
        case "discharge-letter":
            text = da ? "Ny epikrise: \(who)" + (place.map { " fra \($0)" } ?? "") : "New discharge letter: \(who)"
        case "home-care-note": text = da ? "Nyt hjemmeplejenotat: \(who)" : "New home-care note: \(who)"
        case "appointment-booked": text = da ? "Aftale booket: \(who)" : "Appointment booked: \(who)"
        case "appointment-changed": text = da ? "Aftale ændret: \(who)" : "Appointment changed: \(who)"
        default: text = da ? "Hændelse \(code): \(who)" : "Event \(code): \(who)"
        }
        if code.hasPrefix("RE_") { text = (da ? "Rettelse: " : "Correction: ") + text }
        if code.hasPrefix("AN_") { text = (da ? "Annulleret: " : "Cancelled: ") + text }
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
