import EventStream
import FHIR
import Federation
import Foundation
import Terminal
import Words

/// The whole state of the TUI. `update` changes it; views only read it.
public struct Model: Sendable {
    public var language: Language
    public var strings: Strings
    public var glyphs: Glyphs
    public var colorTier: ColorTier
    public var width: Int
    public var height: Int
    public var now: Date
    public var stack: [ScreenID] = [.search]
    public var sourceCount: Int
    /// The keys (the bundled ones, with the user's own file on top).
    public var keymap: Keymap = .standard
    /// The colours of each role (`Assets/themes/`).
    public var theme: ThemeColors = .standard

    /// Each screen's own state (`ScreenModels.swift`).
    public var search = SearchModel()
    public var sections = SectionsModel()
    public var detail = DetailModel()
    public var timeline = TimelineModel()
    public var trends = TrendsModel()
    public var notifications = NotificationsModel()
    public var accessLog = AccessLogModel()
    public var summary = SummaryModel()
    public var apps = AppsModel()
    public var help = HelpModel()

    // The open patient
    public var cpr: CPRNumber?
    public var overview: PatientOverview?
    public var loading = false
    public var boardEnabled: Bool

    /// Through a gateway (access decisions, emergency access and the log exist).
    public var viaGateway = false
    /// The user's role as the gateway knows it ("ed-doctor", "citizen", "log-auditor", ...); nil without one.
    public var role: String?
    /// Whether this user may ask for emergency access: clinicians, not citizens or log follow-up.
    var emergencyAllowed: Bool { !["citizen", "log-auditor"].contains(role ?? "") }
    var offersEmergency: Bool { viaGateway && emergencyAllowed }
    /// Whether `:log` shows the user's own log, or (log follow-up) the accesses to follow up.
    var ownLog: Bool { role != "log-auditor" }

    /// A list's title: with the filter being applied, and the sources missing from it ("mangler: LÆGE tilbageholdt").
    func listTitle(_ base: String) -> String {
        strings.listTitle(base + (filterText.isEmpty ? "" : "  /\(filterText)"), overview)
    }
    /// Patients opened under emergency access in this session (the header says so).
    public var emergencyCPRs: Set<CPRNumber> = []
    /// Names learnt for notified patients (the notifications themselves carry only the CPR number).
    public var patientNames: [CPRNumber: String] = [:]
    /// The live event stream's state; nil when there is none (no engine configured).
    public var connection: ConnectionState?

    // Input modes
    /// Text after ':' while the command line is open.
    public var command: String?
    /// The list filter ('/'); `filterEditing` while it is being typed.
    public var filterText = ""
    public var filterEditing = false
    /// A one-line message at the bottom, with when it was shown.
    public var toast: String?
    public var toastAt: Date?
    public var quit = false

    public init(
        language: Language = .da, glyphs: Glyphs = .unicode, colorTier: ColorTier = .twoFiftySix, width: Int = 80,
        height: Int = 24, now: Date = Date(), sourceCount: Int = 3, boardEnabled: Bool = true
    ) {
        self.language = language
        self.strings = .for(language)
        self.glyphs = glyphs
        self.colorTier = colorTier
        self.width = width
        self.height = height
        self.now = now
        self.sourceCount = sourceCount
        self.boardEnabled = boardEnabled
    }

    public var screen: ScreenID { stack.last ?? .search }

    /// Items of the open pane after the filter.
    public func paneItems(_ kind: SectionKind? = nil) -> [OverviewItem] {
        filtered(overview?.section(kind ?? sections.pane) ?? [])
    }

    func filtered(_ items: [OverviewItem]) -> [OverviewItem] {
        guard !filterText.isEmpty else { return items }
        let needle = filterText.lowercased()
        return items.filter { item in
            [item.title, item.detail, item.status].contains { phrase in
                phrase.map { strings.text($0).lowercased().contains(needle) } ?? false
            }
        }
    }

    /// The timeline with its sector, type, period and text filters.
    public var timelineItems: [OverviewItem] {
        let since = timeline.period.seconds.map { now.addingTimeInterval(-$0) }
        return filtered(overview?.timeline ?? []).filter { item in
            (timeline.sector == nil || item.sources.contains { $0.sector == timeline.sector })
                && (timeline.type == nil || item.section == timeline.type)
                && (since == nil || (item.date.map { $0.upperBound >= since! } ?? false))
        }
    }

    public var trendItems: [Trend] {
        let all = (overview?.trends ?? []).filter { $0.points.count > 0 }
        guard !filterText.isEmpty else { return all }
        return all.filter { $0.title.lowercased().contains(filterText.lowercased()) }
    }

    /// The list on the search screen: matches of a name search, else the ED board and the recent patients.
    public var searchEntries: [SearchEntry] {
        if let matches = search.matches { return matches.map { .match($0) } }
        let entries = search.board.map { SearchEntry.board($0) } + search.recent.map { SearchEntry.recent($0) }
        guard !filterText.isEmpty else { return entries }
        return entries.filter { $0.name.lowercased().contains(filterText.lowercased()) || $0.cpr.value.contains(filterText) }
    }

    /// Rows available for a list body on the current screen (for page up/down).
    var pageSize: Int { max(1, height - 8) }
}

/// One row of the search screen's list.
public enum SearchEntry: Sendable {
    case board(BoardEntry)
    case recent(RecentPatient)
    case match(PatientMatch)

    public var cpr: CPRNumber {
        switch self {
        case .board(let entry): return entry.cpr
        case .recent(let entry): return entry.cpr
        case .match(let entry): return entry.cpr
        }
    }

    public var name: String {
        switch self {
        case .board(let entry): return entry.name
        case .recent(let entry): return entry.name
        case .match(let entry): return entry.name
        }
    }
}

/// A patient opened before, for the search screen.
public struct RecentPatient: Sendable, Equatable {
    public let cpr: CPRNumber
    public let name: String
}

/// A notification from the event stream: what happened to whom, shown in the list and as a toast.
public struct NotificationEntry: Sendable, Equatable {
    public let cpr: CPRNumber
    public let event: EventNotification
    /// The patient's name once known (the engine stores no names; the TUI looks it up at the sources).
    public var name: String?
    /// When it reached this screen.
    public let at: Date

    public init(cpr: CPRNumber, event: EventNotification, name: String?, at: Date) {
        self.cpr = cpr
        self.event = event
        self.name = name
        self.at = at
    }

    public func text(_ language: Language) -> String {
        NotificationText.sentence(event, name: name, cpr: cpr, language: language)
    }
}
