import EventStream
import FHIR
import Federation
import Foundation
import Words

// Each screen's own state, as Bubble Tea nests a model per view: the search screen's field and lists, the open
// patient's sections, the detail, the timeline's filters, the trends, the notifications, the access log and help.
// `Update` changes them (`Update+<Screen>.swift`); the views only read them.

/// Find a patient: the field, the selected row, the ED board, the recent patients and a name search's matches.
public struct SearchModel: Sendable {
    public var input = ""
    public var selection = 0
    public var board: [BoardEntry] = []
    public var boardFetchedAt: Date?
    /// Why the board (or part of it) could not be fetched, one reason per failed source.
    public var boardMessage: [Phrase]?
    public var boardLoading = false
    public var recent: [RecentPatient] = []
    public var matches: [PatientMatch]?
    public var matchesQuery: String?
    /// What the sources left out of the matches, for lack of access.
    public var leftOut: [Phrase] = []
}

/// The open patient's overview: the section shown and the selected row of each.
public struct SectionsModel: Sendable {
    public var pane: SectionKind = .conditions
    public var selection: [SectionKind: Int] = [:]
}

/// The detail screen: what it shows and how far it is scrolled.
public struct DetailModel: Sendable {
    public var content: DetailContent?
    public var scroll = 0
}

/// The timeline across sectors with its filters.
public struct TimelineModel: Sendable {
    public var selection = 0
    public var sector: Sector?
    public var type: SectionKind?
    public var period: TimelinePeriod = .all
}

/// Lab results over time.
public struct TrendsModel: Sendable {
    public var selection = 0
}

/// The notifications of this session, newest first, and the selected one.
public struct NotificationsModel: Sendable {
    public var log = NotificationLog()
    public var selection = 0
}

/// "Min log" (nil until loaded), why it could not be had, and the selected line.
public struct AccessLogModel: Sendable {
    public var groups: [AccessLogGroup]?
    public var error: Phrase?
    public var selection = 0
}

/// The open patient's summary (IPS) from the gateway's `$summary`: nil while it is fetched, why it could not be had,
/// the document as it came (for `E`, export) and how far it is scrolled.
public struct SummaryModel: Sendable {
    public var cpr: CPRNumber?
    public var document: SummaryDocument?
    public var raw: JSONValue?
    public var fetchedAt: Date?
    public var error: Phrase?
    public var scroll = 0
}

/// The app cloud's catalogue (`:apps`), and for the open patient, which apps read their data and when (from the
/// access log, which only the citizen and log follow-up may read); nil while fetched.
public struct AppsModel: Sendable {
    public var cpr: CPRNumber?
    public var listings: [AppListing]?
    /// Accesses to the open patient's data that went through an app; nil when not known (and `readsNote` says why).
    public var reads: [AccessLogEntry]?
    public var readsNote: Phrase?
    public var error: Phrase?
    /// The catalogue entry under the cursor (Enter starts it on the open patient).
    public var selection = 0
    /// The app being started (its client id) until the gateway answers.
    public var starting: String?
    /// The last app started on the patient, with the URL that opens it there; or why it could not be started.
    public var launch: AppLaunch?
    public var launchError: Phrase?
}

/// The help screen's scroll.
public struct HelpModel: Sendable {
    public var scroll = 0
}
