import FHIR
import Federation
import Foundation

/// The overview as linear Danish text for screen readers and scripts that want words: no boxes, no columns, no
/// colour; each line a sentence. All text in an overview has already been through the sanitizer.
public struct PlainOverviewRenderer {
    /// How many items per section (newest first); nil for all.
    public var limit: Int?

    public init(limit: Int? = 10) {
        self.limit = limit
    }

    public func render(_ overview: PatientOverview, now: Date = Date()) -> String {
        var lines: [String] = []
        let cpr = (try? CPRNumber(overview.cpr))?.formatted ?? overview.cpr
        if let patient = overview.patient {
            lines.append("Overblik over \(patient.name)")
            var facts = ["CPR \(cpr)"]
            if let age = patient.age(at: now) { facts.append("\(age) år") }
            if let gender = DanishFormat.gender(patient.gender) { facts.append(gender) }
            if let birth = patient.birthDate { facts.append("født \(DanishFormat.date(birth))") }
            lines.append(facts.joined(separator: ", ") + ".")
            if let address = patient.address {
                lines.append("Adresse: \(address)" + (patient.municipalityName.map { ", \($0) Kommune" } ?? "") + ".")
            }
            if let gp = patient.generalPractitioner { lines.append("Egen læge: \(gp).") }
            if let phone = patient.phone { lines.append("Telefon: \(phone).") }
        } else {
            lines.append("Overblik over CPR \(cpr)")
            if let refused = overview.sources.first(where: { [.denied, .withheld].contains($0.state) }) {
                lines.append("Ingen adgang: \(refused.message ?? "afvist af gatewayen").")
            } else {
                lines.append(
                    overview.isFound ? "Ingen kilde har patientens stamdata." : "Patienten er ikke fundet i nogen kilde.")
            }
        }
        for flag in overview.flags { lines.append("OBS: \(flag).") }
        lines.append("")
        lines.append("Kilder:")
        for status in overview.sources {
            var line = "- \(status.sourceName): \(DanishFormat.status(status, now: now))"
            if status.resourceCount > 0 { line += ", \(status.resourceCount) poster" }
            lines.append(line + ".")
        }
        for section in overview.sections {
            lines.append("")
            let count = section.items.count
            let shown = limit.map { min($0, count) } ?? count
            var heading = "\(section.kind.danishTitle), \(count == 1 ? "1 punkt" : "\(count) punkter")"
            if shown < count { heading += " (de \(shown) nyeste)" }
            lines.append(heading + ":")
            if count == 0 { lines.append("- \(Strings(language: .da).emptyList(overview)).") }
            for item in section.items.prefix(shown) { lines.append("- " + sentence(item)) }
        }
        let trends = overview.trends.filter { $0.points.count > 1 }
        if !trends.isEmpty {
            lines.append("")
            lines.append("Udvikling:")
            for trend in trends.prefix(limit ?? trends.count) {
                let recent = trend.points.suffix(5).map { point in
                    ObservationValueFormat.number(point.value)
                        + (point.flag.map { " (\(DanishText.interpretation($0) ?? $0))" } ?? "")
                }
                let unit = trend.unit.map { " \($0)" } ?? ""
                lines.append(
                    "- \(trend.title): \(recent.joined(separator: ", "))\(unit); \(trend.points.count) målinger, seneste \(DanishFormat.date(trend.latest?.date))."
                )
            }
        }
        lines.append("")
        let shown = limit.map { min($0 * 2, overview.timeline.count) } ?? overview.timeline.count
        lines.append("Tidslinje på tværs af sektorer, \(shown) nyeste af \(overview.timeline.count):")
        for item in overview.timeline.prefix(shown) {
            let title = item.title.hasSuffix(".") ? String(item.title.dropLast()) : item.title
            lines.append("- \(DanishFormat.date(item.date)): \(item.section.danishTitle): \(title) (\(sourceNames(item))).")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func sentence(_ item: OverviewItem) -> String {
        var parts = ["\(DanishFormat.date(item.date)): \(item.title)"]
        if let detail = item.detail, !detail.isEmpty { parts.append(detail) }
        if let status = item.status { parts.append(status) }
        if let flag = item.flag { parts.append("OBS: \(flag)") }
        parts.append("kilde: \(sourceNames(item))")
        return parts.map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 }.joined(separator: ". ") + "."
    }

    func sourceNames(_ item: OverviewItem) -> String {
        item.sources.map(\.sourceName).joined(separator: " og ")
    }
}
