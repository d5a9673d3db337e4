import FHIR
import Federation
import Foundation
import Words

/// The overview as linear text for screen readers and scripts that want words, in Danish or English: no boxes, no
/// columns, no colour; each line a sentence. All text in an overview has already been through the sanitizer.
public struct PlainOverviewRenderer {
    /// How many items per section (newest first); nil for all.
    public var limit: Int?
    public var strings: Strings

    public init(limit: Int? = 10, language: Language = .da) {
        self.limit = limit
        self.strings = .for(language)
    }

    func text(_ id: String, _ arguments: [String: Phrase.Argument] = [:]) -> String { strings.text(id, arguments) }

    public func render(_ overview: PatientOverview, now: Date = Date()) -> String {
        var lines: [String] = []
        let cpr = (try? CPRNumber(overview.cpr))?.formatted ?? overview.cpr
        if let patient = overview.patient {
            lines.append(text("plain.title", ["name": .text(patient.name ?? strings.unknownName)]))
            var facts = ["CPR \(cpr)"]
            if let age = patient.age(at: now) { facts.append(text("plain.age", ["count": .integer(age)])) }
            if let gender = strings.gender(patient.gender) { facts.append(gender) }
            if let birth = patient.birthDate { facts.append(text("plain.born", ["date": .text(DanishFormat.date(birth))])) }
            lines.append(facts.joined(separator: ", ") + ".")
            if let address = patient.address {
                lines.append(
                    patient.municipalityName.map {
                        text("plain.address-municipality", ["address": .text(address), "municipality": .text($0)])
                    } ?? text("plain.address", ["address": .text(address)]))
            }
            if let gp = patient.generalPractitioner { lines.append(text("plain.gp", ["gp": .text(gp)])) }
            if let phone = patient.phone { lines.append(text("plain.phone", ["phone": .text(phone)])) }
        } else {
            lines.append(text("plain.title-cpr", ["cpr": .text(cpr)]))
            if let refused = overview.sources.first(where: { [.denied, .withheld].contains($0.state) }) {
                lines.append(
                    text("plain.no-access", ["reason": .text(strings.text(refused.message) ?? text("plain.refused"))]))
            } else {
                lines.append(text(overview.isFound ? "plain.no-demographics" : "plain.not-found"))
            }
        }
        for flag in overview.flags { lines.append(text("plain.flag", ["flag": .text(strings.text(flag))])) }
        lines.append("")
        lines.append(text("plain.sources"))
        for status in overview.sources {
            var line = "- \(status.sourceName): \(self.status(status, now: now))"
            if status.resourceCount > 0 { line += text("plain.entries", ["count": .integer(status.resourceCount)]) }
            lines.append(line + ".")
        }
        for section in overview.sections {
            lines.append("")
            let count = section.items.count
            let shown = limit.map { min($0, count) } ?? count
            var heading = text(
                "plain.section", ["section": .text(strings.sectionTitle(section.kind)), "count": .integer(count)])
            if shown < count { heading += text("plain.newest", ["count": .integer(shown)]) }
            lines.append(heading + ":")
            if count == 0 { lines.append("- \(strings.emptyList(overview)).") }
            for item in section.items.prefix(shown) { lines.append("- " + sentence(item)) }
        }
        let trends = overview.trends.filter { $0.points.count > 1 }
        if !trends.isEmpty {
            lines.append("")
            lines.append(text("plain.trends"))
            for trend in trends.prefix(limit ?? trends.count) {
                let recent = trend.points.suffix(5).map { point in
                    strings.number(point.value)
                        + (CodePhrases.interpretation(point.flag).map { " (\(strings.text($0)))" } ?? "")
                }
                let unit = trend.unit.map { " \($0)" } ?? ""
                lines.append(
                    text(
                        "plain.trend",
                        [
                            "title": .text(trend.title), "values": .text(recent.joined(separator: ", ") + unit),
                            "count": .integer(trend.points.count), "date": .text(strings.date(trend.latest?.date)),
                        ]))
            }
        }
        lines.append("")
        let shown = limit.map { min($0 * 2, overview.timeline.count) } ?? overview.timeline.count
        lines.append(text("plain.timeline", ["shown": .integer(shown), "count": .integer(overview.timeline.count)]))
        for item in overview.timeline.prefix(shown) {
            let title = withoutPeriod(strings.text(item.title))
            lines.append(
                "- \(strings.date(item.date)): \(strings.sectionTitle(item.section)): \(title) (\(sourceNames(item))).")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func withoutPeriod(_ text: String) -> String { text.hasSuffix(".") ? String(text.dropLast()) : text }

    func sentence(_ item: OverviewItem) -> String {
        var parts = ["\(strings.date(item.date)): \(strings.text(item.title))"]
        if let detail = strings.text(item.detail), !detail.isEmpty { parts.append(detail) }
        if let status = strings.text(item.status) { parts.append(status) }
        if let flag = strings.text(item.flag) { parts.append("\(strings.note): \(flag)") }
        parts.append(text("plain.source", ["sources": .text(sourceNames(item))]))
        return parts.map(withoutPeriod).joined(separator: ". ") + "."
    }

    func sourceNames(_ item: OverviewItem) -> String {
        item.sources.map(\.sourceName).joined(separator: text("plain.and"))
    }

    /// "12 sekunder", "3 minutter", "2 timer", "4 dage" / "12 seconds", ...
    func duration(_ seconds: TimeInterval) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return text("duration.seconds", ["count": .integer(s)]) }
        if s < 3600 { return text("duration.minutes", ["count": .integer(s / 60)]) }
        if s < 86_400 { return text("duration.hours", ["count": .integer(s / 3600)]) }
        return text("duration.days", ["count": .integer(s / 86_400)])
    }

    /// A source's status in one sentence: "ok, hentet for 2 sekunder siden", "fra cache, 3 minutter gammel", ...
    func status(_ status: SourceStatus, now: Date) -> String {
        let age = status.age(at: now).map(duration)
        let reason = strings.text(status.message)
        let aged = age.map { text("plain.status.aged", ["age": .text($0)]) } ?? text("plain.status.age-unknown")
        switch status.state {
        case .ok: return age.map { text("plain.status.ok-ago", ["age": .text($0)]) } ?? text("plain.status.ok")
        case .cached: return text("plain.status.cached", ["aged": .text(aged)])
        case .stale:
            return text(
                "plain.status.stale",
                ["aged": .text(aged), "reason": .text(reason ?? text("plain.status.failed"))])
        case .timedOut: return text("plain.status.timed-out", ["reason": .text(reason ?? text("plain.status.limit-reached"))])
        case .error: return text("plain.status.error", ["reason": .text(reason ?? text("plain.status.failed"))])
        case .notFound: return text("plain.status.not-found")
        case .loading: return text("plain.status.loading")
        case .denied: return text("plain.status.denied", ["reason": .text(reason ?? text("plain.status.no-relationship"))])
        case .withheld: return text("plain.status.withheld", ["reason": .text(reason ?? text("overview.withheld"))])
        }
    }
}
