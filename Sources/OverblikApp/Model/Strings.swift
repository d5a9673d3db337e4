import FHIR
import Federation
import Foundation
import Words

/// Every text the TUI shows, from the catalogs in `Assets/strings/` (`da.toml`, `en.toml`): the views ask for a
/// message id, and phrases from the domain (statuses, failures, reasons) are put in words here.
public struct Strings: Sendable {
    public let language: Language
    public let catalog: Catalog

    public static func `for`(_ language: Language) -> Strings {
        Strings(language: language, catalog: .bundled(language))
    }

    /// The text of a message id, with its parameters.
    public func text(_ id: String, _ arguments: [String: Phrase.Argument] = [:]) -> String {
        catalog.text(id, arguments)
    }

    /// A phrase from the domain in words.
    public func text(_ phrase: Phrase) -> String { catalog.text(phrase) }

    public func text(_ phrase: Phrase?) -> String? { phrase.map(catalog.text) }

    /// A number the language's way: "3,9" in Danish, "3.9" in English.
    public func number(_ value: Double) -> String { catalog.number(value) }

    var appName: String { text("app.name") }
    var searchTitle: String { text("search.title") }
    var searchPrompt: String { text("search.prompt") }
    var searchHint: String { text("search.hint") }
    var boardTitle: String { text("search.board-title") }
    var recentTitle: String { text("search.recent-title") }
    var matchesTitle: String { text("search.matches-title") }
    var noBoard: String { text("search.no-board") }
    /// Through the gateway the board holds only the patients this user may see.
    var noBoardForYou: String { text("search.no-board-for-you") }
    var noRecent: String { text("search.no-recent") }
    var noMatches: String { text("search.no-matches") }
    var loading: String { text("common.loading") }
    func fetchingFrom(_ count: Int) -> String { text("common.fetching-from", ["count": .integer(count)]) }
    var sources: String { text("common.sources") }
    var none: String { text("common.none") }
    var unknownName: String { text("patient.unknown-name") }
    var notFoundAnywhere: String { text("overview.not-found-anywhere") }

    /// Why nothing is shown: refused or withheld by the gateway (never "not found" then), or not found.
    func nothingShown(_ overview: PatientOverview?, offersEmergency: Bool) -> String {
        let sources = overview?.sources ?? []
        if let denied = sources.first(where: { $0.state == .denied }) {
            let reason = text(denied.message) ?? ""
            return text(offersEmergency ? "overview.no-access-emergency" : "overview.no-access-reason", ["reason": .text(reason)])
        }
        if let withheld = sources.first(where: { $0.state == .withheld }) {
            return text(withheld.message) ?? text("overview.withheld")
        }
        return notFoundAnywhere
    }
    var years: String { text("patient.years") }
    var gp: String { text("patient.gp") }
    var timelineTitle: String { text("timeline.title") }
    var trendsTitle: String { text("trends.title") }
    var notificationsTitle: String { text("notifications.title") }
    var noNotifications: String { text("notifications.none") }
    var helpTitle: String { text("help.title") }
    var detailTitle: String { text("detail.title") }
    var all: String { text("filter.all") }
    var sector: String { text("filter.sector") }
    var type: String { text("filter.type") }
    var period: String { text("filter.period") }
    func measurements(_ count: Int) -> String { text("trends.measurements", ["count": .integer(count)]) }
    var status: String { text("detail.status") }
    var date: String { text("detail.date") }
    var note: String { text("detail.note") }
    var tooSmall: String { text("app.too-small") }
    var unknownCommand: String { text("command.unknown") }
    var ambiguousCommand: String { text("command.ambiguous") }
    var invalidCPR: String { text("command.invalid-cpr") }
    var noPatientOpen: String { text("command.no-patient") }
    var refreshing: String { text("common.refreshing") }

    /// A user's role in words ("akutlæge", "ED doctor"); an unknown role as it is.
    public func roleName(_ role: String) -> String { AccessLogView.roleName(role, self) }

    /// What is wrong with a typed CPR number.
    public func cprProblem(_ error: any Error) -> String {
        guard let problem = error as? CPRNumber.ValidationError else { return String(describing: error) }
        return text(problem.phrase)
    }

    func sectionTitle(_ kind: SectionKind) -> String { text("section.\(kind.rawValue)") }

    func sectorName(_ sector: Sector?) -> String {
        switch sector {
        case nil: return all
        case .hospital?: return text("sector.hospital")
        case .gp?: return text("sector.gp")
        case .municipality?: return text("sector.municipality")
        case .national?: return text("sector.national")
        case .other?: return text("sector.other")
        }
    }

    /// Four letters for a source's sector, shown on every item so its origin is always visible.
    func sectorTag(_ sector: Sector) -> String {
        switch sector {
        case .hospital: return text("sector-tag.hospital")
        case .gp: return text("sector-tag.gp")
        case .municipality: return text("sector-tag.municipality")
        case .national: return text("sector-tag.national")
        case .other: return text("sector-tag.other")
        }
    }

    /// The sources whose data is missing from every list (refused, withheld, failing without a cached copy, still
    /// being asked), short: "LÆGE tilbageholdt, KOMM svarer ikke"; nil when every source gave what it has. An empty
    /// list must never read as "none" while a source is missing.
    func missingSources(_ overview: PatientOverview?) -> String? {
        let missing = (overview?.sources ?? []).compactMap { status -> String? in
            let why: String
            switch status.state {
            case .ok, .cached, .stale, .notFound: return nil
            case .timedOut: why = text("missing.timed-out")
            case .error: why = text("missing.error")
            case .loading: why = text("missing.loading")
            case .denied: why = text("missing.denied")
            case .withheld: why = text("missing.withheld")
            }
            return "\(sectorTag(status.sector)) \(why)"
        }
        return missing.isEmpty ? nil : missing.joined(separator: ", ")
    }

    /// A list's title with what is missing from it: "Medicin (7)  mangler: LÆGE tilbageholdt".
    func listTitle(_ title: String, _ overview: PatientOverview?) -> String {
        missingSources(overview).map { text("list.title-missing", ["title": .text(title), "missing": .text($0)]) } ?? title
    }

    /// What an empty list says: "Ingen", or, when a source is missing, that the others have none.
    func emptyList(_ overview: PatientOverview?) -> String {
        guard let missing = missingSources(overview) else { return none }
        return text("list.empty-missing", ["missing": .text(missing)])
    }

    func gender(_ code: String?) -> String? {
        switch code {
        case "male": return text("patient.male")
        case "female": return text("patient.female")
        case nil: return nil
        default: return text("patient.other-gender")
        }
    }

    /// "12 s", "3 min", "2 t" / "2 h", "4 d": how old something is, short.
    func age(_ seconds: Double) -> String {
        // Never negative: a time stamped a moment after the screen's clock last ticked is "0 s" old.
        let s = max(0, Int(seconds.rounded()))
        if s < 60 { return text("age.seconds", ["n": .integer(s)]) }
        if s < 3600 { return text("age.minutes", ["n": .integer(s / 60)]) }
        if s < 86_400 { return text("age.hours", ["n": .integer(s / 3600)]) }
        return text("age.days", ["n": .integer(s / 86_400)])
    }

    /// "hentet for 3 min siden" / "fetched 3 min ago".
    func fetchedAgo(_ seconds: Double) -> String { text("common.fetched-ago", ["age": .text(age(seconds))]) }

    /// A source's status, short, in words (colour only repeats it).
    func sourceState(_ status: SourceStatus, now: Foundation.Date) -> String {
        let age = status.age(at: now).map(self.age) ?? "?"
        switch status.state {
        case .ok: return text("source-state.ok")
        case .cached: return text("source-state.cached", ["age": .text(age)])
        case .stale: return text("source-state.stale", ["age": .text(age)])
        case .timedOut: return text("source-state.timed-out")
        case .error: return text("source-state.error")
        case .notFound: return text("source-state.not-found")
        case .loading: return text("source-state.loading")
        case .denied: return text("source-state.denied")
        case .withheld: return text("source-state.withheld")
        }
    }

    func periodName(_ period: TimelinePeriod) -> String {
        switch period {
        case .all: return all
        case .year: return text("period.year")
        case .quarter: return text("period.quarter")
        case .month: return text("period.month")
        }
    }

    /// A date the way the language writes it ("11.05.2019 21:40"; "unknown date" for none).
    func date(_ value: FHIRDateTime?) -> String {
        value.map(DanishFormat.date) ?? text("common.unknown-date")
    }

    /// The ids whose keys the code makes up (`section.<kind>`, ...), with every key, for the catalog test.
    static let families: [String: Set<String>] = [
        "section": Set(SectionKind.allCases.map(\.rawValue)),
        "action": Set(Action.allCases.filter { $0.sectionIndex == nil }.map(\.rawValue)),
    ]
}
