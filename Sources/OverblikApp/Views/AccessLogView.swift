import FHIR
import Federation
import Foundation
import Terminal

/// "Min log": who looked at my data, when, from where and why, newest first (a citizen's own log from the gateway).
/// For log follow-up the same list of every access to follow up, with the patient on each line. Emergency accesses
/// and refusals say so in words.
enum AccessLogView {
    static func draw(_ screen: inout Screen, _ model: Model, _ theme: Theme) {
        let strings = model.strings
        let title = strings.text(model.ownLog ? "log.own-title" : "log.audit-title")
        Chrome.titleBar(&screen, title, model, theme)
        let height = screen.height - 2
        let list = model.accessLog.groups ?? []
        screen.box(
            x: 0, y: 1, width: screen.width, height: height, glyphs: model.glyphs, style: theme.activeFrame,
            title: "\(strings.text("log.list-title")) (\(list.count))", titleStyle: theme.title)
        let inner = screen.width - 2
        guard let log = model.accessLog.groups else {
            screen.put(" " + strings.text("log.loading"), x: 1, y: 2, style: theme.dim, maxWidth: inner)
            return
        }
        if let error = model.accessLog.error {
            screen.put(" " + strings.text(error), x: 1, y: 2, style: theme.error, maxWidth: inner)
            return
        }
        if log.isEmpty {
            screen.put(
                " " + strings.text(model.ownLog ? "log.empty" : "log.empty-audit"), x: 1, y: 2, style: theme.dim,
                maxWidth: inner)
            return
        }
        let rows = height - 2
        let offset = Chrome.scrollOffset(selected: model.accessLog.selection, count: log.count, rows: rows)
        for (row, group) in log.dropFirst(offset).prefix(rows).enumerated() {
            let entry = group.first
            let selected = offset + row == model.accessLog.selection
            let style: Style =
                selected
                ? theme.selected : (entry.emergency ? theme.warning : (entry.outcome == "success" ? theme.plain : theme.dim))
            if selected { screen.fill(x: 1, y: 2 + row, width: inner, height: 1, style: theme.selected) }
            screen.put(" " + line(group, model), x: 1, y: 2 + row, style: style, maxWidth: inner)
        }
    }

    /// The kinds of data lookups touched, in words: ["Encounter", "Patient"] → "hospitalskontakter, stamdata".
    static func dataNames(_ types: [String], _ strings: Strings) -> String {
        let words = types.map { type in
            dataTypes.contains(type) ? strings.text("data-type.\(type)") : type
        }
        return words.isEmpty ? "-" : words.uniqued().joined(separator: ", ")
    }

    /// The resource types the catalogs have a word for (`data-type.<type>`).
    static let dataTypes: Set<String> = [
        "Patient", "Condition", "Encounter", "Appointment", "Observation", "MedicationStatement", "MedicationRequest",
        "DocumentReference", "Composition", "AllergyIntolerance", "Consent", "AuditEvent", "Communication", "CarePlan",
        "Immunization",
    ]

    /// Her own log: "23.11.2026 14:32  Rasmus Dahl (læge)  VÆRDISPRING: ...  Ortopædkirurgisk afdeling  sygehus,
    /// egen læge  (12 opslag)". Log follow-up: the patient's CPR number first, and the words of a third person.
    static func line(_ group: AccessLogGroup, _ model: Model) -> String {
        let strings = model.strings
        let entry = group.first
        let when = DanishFormat.date(FHIRDateTime(date: group.to, precision: .minute))
        var who = entry.who
        if entry.role == "citizen", model.ownLog {
            who = strings.text("log.you")
        } else if !entry.role.isEmpty {
            who += " (\(roleName(entry.role, strings)))"
        }
        if let app = entry.app { who += " " + strings.text("log.via-app", ["app": .text(app)]) }
        let why = why(entry, strings, own: model.ownLog)
        let sources = group.sources.map { sourceName($0, strings) }.joined(separator: ", ")
        let count = group.count > 1 ? "  (\(strings.text("log.lookups", ["count": .integer(group.count)])))" : ""
        let patient = model.ownLog ? "" : (entry.patientCPR ?? "-")
        // Who and why first: that is what fits at 80 columns.
        return [when, patient, who, why, entry.organization ?? "", sources].filter { !$0.isEmpty }.joined(separator: "  ")
            + count
    }

    /// Why the access happened or was refused; `own`: said to the patient herself ("at your request").
    static func why(_ entry: AccessLogEntry, _ strings: Strings, own: Bool) -> String {
        if entry.emergency {
            return entry.reason.map { strings.text("log.emergency-reason", ["reason": .text($0)]) }
                ?? strings.text("log.emergency")
        }
        if entry.outcome == "denied" { return strings.text("log.refused") }
        if entry.outcome == "withheld" { return strings.text(own ? "log.withheld-own" : "log.withheld") }
        if entry.role == "citizen" { return strings.text(own ? "log.own-lookup" : "log.citizen-lookup") }
        return strings.text("log.treatment")
    }

    static func sourceName(_ id: String, _ strings: Strings) -> String {
        sources.contains(id) ? strings.text("log-source.\(id)") : id
    }

    /// The sources the catalogs have a word for (`log-source.<id>`).
    static let sources: Set<String> = ["hospital", "gp", "municipality", "nsp", "analysis-platform"]

    static func roleName(_ role: String, _ strings: Strings) -> String {
        roles.contains(role) ? strings.text("role.\(role)") : role
    }

    /// The roles the catalogs have a word for (`role.<role>`).
    static let roles: Set<String> = [
        "ed-doctor", "gp", "home-nurse", "doctor", "citizen", "log-auditor", "researcher", "data-controller",
    ]

    /// The whole of one line of the log, for its detail screen: who, where, why, which sources and data, when.
    static func detailLines(_ group: AccessLogGroup, _ strings: Strings, own: Bool) -> [String] {
        let entry = group.first
        func field(_ id: String, _ value: String) -> String { strings.text(id, ["value": .text(value)]) }
        return [
            field("log.field.patient", entry.patientCPR.map { "CPR \($0)" } ?? "-"),
            field(
                "log.field.who",
                entry.who + (entry.role.isEmpty ? "" : " (\(roleName(entry.role, strings)))")
                    + (entry.app.map { " " + strings.text("log.via-app", ["app": .text($0)]) } ?? "")),
            field("log.field.where", entry.organization ?? "-"),
            field("log.field.why", why(entry, strings, own: own)),
            field("log.field.sources", group.sources.map { sourceName($0, strings) }.joined(separator: ", ")),
            field("log.field.data", dataNames(group.resourceTypes, strings)),
            field(
                "log.field.period",
                DanishFormat.date(FHIRDateTime(date: group.from, precision: .minute)) + " – "
                    + DanishFormat.date(FHIRDateTime(date: group.to, precision: .minute))),
            field("log.field.lookups", String(group.count)),
        ]
    }
}
