import FHIR
import Federation
import Foundation
import Terminal

/// "Min log": who looked at my data, when, from where and why, newest first (a citizen's own log from the gateway).
/// Emergency accesses and refusals say so in words.
enum AccessLogView {
    static func draw(_ screen: inout Screen, _ model: Model, _ theme: Theme) {
        let strings = model.strings
        let title =
            model.ownLog
            ? strings.t("Min log: hvem har set mine data", "My log: who looked at my data")
            : strings.t("Adgangsloggen: opslag til opfølgning", "The access log: lookups to follow up")
        Chrome.titleBar(&screen, title, model, theme)
        let height = screen.height - 2
        let list = model.accessLog ?? []
        screen.box(
            x: 0, y: 1, width: screen.width, height: height, glyphs: model.glyphs, style: theme.activeFrame,
            title: "\(strings.t("Opslag", "Accesses")) (\(list.count))", titleStyle: theme.title)
        let inner = screen.width - 2
        guard let log = model.accessLog else {
            screen.put(" " + strings.t("Henter loggen…", "Fetching the log…"), x: 1, y: 2, style: theme.dim, maxWidth: inner)
            return
        }
        if let error = model.accessLogError {
            screen.put(" " + error, x: 1, y: 2, style: theme.error, maxWidth: inner)
            return
        }
        if log.isEmpty {
            screen.put(
                " " + strings.t("Ingen har set dine data endnu.", "Nobody has looked at your data yet."), x: 1, y: 2,
                style: theme.dim, maxWidth: inner)
            return
        }
        let rows = height - 2
        let offset = Chrome.scrollOffset(selected: model.accessLogSelection, count: log.count, rows: rows)
        for (row, group) in log.dropFirst(offset).prefix(rows).enumerated() {
            let entry = group.first
            let selected = offset + row == model.accessLogSelection
            let style: Style =
                selected
                ? theme.selected : (entry.emergency ? theme.warning : (entry.outcome == "success" ? theme.plain : theme.dim))
            if selected { screen.fill(x: 1, y: 2 + row, width: inner, height: 1, style: theme.selected) }
            screen.put(" " + line(group, model), x: 1, y: 2 + row, style: style, maxWidth: inner)
        }
    }

    /// The kinds of data a lookup touched, in words: "Encounter, Patient" → "hospitalskontakter, stamdata".
    static func dataNames(_ types: String, _ strings: Strings) -> String {
        let names: [String: (String, String)] = [
            "Patient": ("stamdata", "personal details"), "Condition": ("sygehistorik", "history"),
            "Encounter": ("hospitalskontakter", "hospital contacts"), "Appointment": ("aftaler", "appointments"),
            "Observation": ("målinger og prøvesvar", "measurements and results"),
            "MedicationStatement": ("medicin", "medication"), "MedicationRequest": ("medicin", "medication"),
            "DocumentReference": ("dokumenter", "documents"), "Composition": ("dokumenter", "documents"),
            "AllergyIntolerance": ("allergier", "allergies"), "Consent": ("samtykker og fravalg", "consents"),
            "AuditEvent": ("adgangsloggen", "the access log"),
        ]
        let words = types.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .map { type in names[type].map { strings.t($0.0, $0.1) } ?? type }
        return words.isEmpty ? "-" : words.uniqued().joined(separator: ", ")
    }

    /// "23.11.2026 14:32  Rasmus Dahl (læge)  VÆRDISPRING: ...  Ortopædkirurgisk afdeling  sygehus, egen læge  (12 opslag)".
    static func line(_ group: AccessLogGroup, _ model: Model) -> String {
        let strings = model.strings
        let entry = group.first
        let when = DanishFormat.date(FHIRDateTime(date: group.to, precision: .minute))
        var who = entry.who
        if entry.role == "citizen" {
            who = strings.t("Dig selv", "You")
        } else if !entry.role.isEmpty {
            who += " (\(roleName(entry.role, strings)))"
        }
        let why = why(entry, strings)
        let sources = group.sources.map { sourceName($0, strings) }.joined(separator: ", ")
        let count = group.count > 1 ? "  (\(group.count) \(strings.t("opslag", "lookups")))" : ""
        // Who and why first: that is what fits at 80 columns.
        return [when, who, why, entry.organization ?? "", sources].filter { !$0.isEmpty }.joined(separator: "  ") + count
    }

    static func why(_ entry: AccessLogEntry, _ strings: Strings) -> String {
        if entry.emergency { return strings.t("VÆRDISPRING", "EMERGENCY") + (entry.reason.map { ": \($0)" } ?? "") }
        if entry.outcome == "denied" { return strings.t("afvist (ingen adgang)", "refused (no access)") }
        if entry.outcome == "withheld" { return strings.t("tilbageholdt efter dit ønske", "withheld at your request") }
        return entry.role == "citizen" ? strings.t("dit eget opslag", "your own lookup") : strings.t("behandling", "treatment")
    }

    static func sourceName(_ id: String, _ strings: Strings) -> String {
        switch id {
        case "hospital": strings.t("sygehus", "hospital")
        case "gp": strings.t("egen læge", "GP")
        case "municipality": strings.t("kommune", "municipality")
        default: id
        }
    }

    static func roleName(_ role: String, _ strings: Strings) -> String {
        switch role {
        case "ed-doctor": strings.t("akutlæge", "ED doctor")
        case "gp": strings.t("egen læge", "GP")
        case "home-nurse": strings.t("hjemmesygeplejerske", "home nurse")
        case "doctor": strings.t("læge", "doctor")
        case "citizen": strings.t("borger", "citizen")
        case "log-auditor": strings.t("logopfølgning", "log follow-up")
        default: role
        }
    }
}
