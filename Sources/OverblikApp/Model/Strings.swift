import Federation
import Foundation

/// Every text the TUI shows, in Danish and English.
public struct Strings: Sendable {
    public let language: Language

    public static func `for`(_ language: Language) -> Strings { Strings(language: language) }

    func t(_ da: String, _ en: String) -> String { language == .da ? da : en }

    var appName: String { "Overblik" }
    var searchTitle: String { t("Find patient", "Find patient") }
    var searchPrompt: String { t("CPR eller navn: ", "CPR or name: ") }
    var searchHint: String {
        t(
            "Skriv CPR (med eller uden bindestreg) eller begyndelsen af et navn, Enter åbner",
            "Type a CPR number (with or without dash) or the start of a name, Enter opens")
    }
    var boardTitle: String { t("Akutmodtagelsen nu", "Emergency department now") }
    var recentTitle: String { t("Seneste patienter", "Recent patients") }
    var matchesTitle: String { t("Søgeresultat", "Search results") }
    var noBoard: String { t("Ingen patienter i akutmodtagelsen lige nu", "No patients in the emergency department right now") }
    /// Through the gateway the board holds only the patients this user may see.
    var noBoardForYou: String {
        t("Ingen patienter du har adgang til i akutmodtagelsen lige nu", "None of your patients in the emergency department now")
    }
    var noRecent: String { t("Ingen endnu", "None yet") }
    var noMatches: String { t("Ingen patienter fundet", "No patients found") }
    var loading: String { t("Henter…", "Fetching…") }
    func fetchingFrom(_ count: Int) -> String { t("Henter fra \(count) kilder…", "Fetching from \(count) sources…") }
    var sources: String { t("Kilder", "Sources") }
    var none: String { t("Ingen", "None") }
    var notFoundAnywhere: String { t("Patienten er ikke fundet i nogen kilde", "The patient was not found at any source") }

    /// Why nothing is shown: refused or withheld by the gateway (never "not found" then), or not found.
    func nothingShown(_ overview: PatientOverview?, offersEmergency: Bool) -> String {
        let sources = overview?.sources ?? []
        if let denied = sources.first(where: { $0.state == .denied }) {
            return t("Ingen adgang", "No access") + ": " + (word(denied.message) ?? "")
                + (offersEmergency
                    ? t(
                        " — tryk ! for værdispring (begrundelsen logges)",
                        " — press ! for emergency access (the reason is logged)")
                    : "")
        }
        if let withheld = sources.first(where: { $0.state == .withheld }) {
            return word(withheld.message)
                ?? t("Data tilbageholdt efter patientens ønske", "Data withheld at the patient's request")
        }
        return notFoundAnywhere
    }
    var years: String { t("år", "years") }
    var gp: String { t("Egen læge", "GP") }
    var timelineTitle: String { t("Tidslinje", "Timeline") }
    var trendsTitle: String { t("Laboratoriesvar over tid", "Lab results over time") }
    var notificationsTitle: String { t("Notifikationer", "Notifications") }
    var noNotifications: String { t("Ingen notifikationer", "No notifications") }
    var helpTitle: String { t("Hjælp: taster", "Help: keys") }
    var detailTitle: String { t("Detaljer", "Details") }
    var filter: String { t("Filter", "Filter") }
    var all: String { t("alle", "all") }
    var sector: String { t("sektor", "sector") }
    var type: String { t("type", "type") }
    var period: String { t("periode", "period") }
    var measurements: String { t("målinger", "measurements") }
    var latest: String { t("seneste", "latest") }
    var reference: String { t("ref.", "ref.") }
    var fetched: String { t("hentet", "fetched") }
    var from: String { t("fra", "from") }
    var status: String { t("Status", "Status") }
    var date: String { t("Dato", "Date") }
    var tooSmall: String { t("Terminalen er for lille (mindst 40x10)", "The terminal is too small (at least 40x10)") }
    var unknownCommand: String { t("Ukendt kommando", "Unknown command") }
    var ambiguousCommand: String { t("Tvetydig kommando", "Ambiguous command") }
    var invalidCPR: String { t("Ugyldigt CPR-nummer", "Invalid CPR number") }
    var noPatientOpen: String { t("Ingen patient er åben", "No patient is open") }
    var refreshing: String { t("Opdaterer…", "Refreshing…") }
    var pressHelp: String { t("? hjælp", "? help") }

    func sectionTitle(_ kind: SectionKind) -> String { language == .da ? kind.danishTitle : kind.englishTitle }

    func sectorName(_ sector: Sector?) -> String {
        switch sector {
        case nil: return all
        case .hospital?: return t("hospital", "hospital")
        case .gp?: return t("almen praksis", "general practice")
        case .municipality?: return t("kommune", "municipality")
        case .other?: return t("andre", "other")
        }
    }

    /// Four letters for a source's sector, shown on every item so its origin is always visible.
    func sectorTag(_ sector: Sector) -> String {
        switch sector {
        case .hospital: return t("HOSP", "HOSP")
        case .gp: return t("LÆGE", "GP")
        case .municipality: return t("KOMM", "MUNI")
        case .other: return t("ANDN", "OTHR")
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
            case .timedOut: why = t("svarer ikke", "no answer")
            case .error: why = t("fejl", "error")
            case .loading: why = t("henter", "fetching")
            case .denied: why = t("nægtet", "denied")
            case .withheld: why = t("tilbageholdt", "withheld")
            }
            return "\(sectorTag(status.sector)) \(why)"
        }
        return missing.isEmpty ? nil : missing.joined(separator: ", ")
    }

    /// A list's title with what is missing from it: "Medicin (7)  mangler: LÆGE tilbageholdt".
    func listTitle(_ title: String, _ overview: PatientOverview?) -> String {
        missingSources(overview).map { "\(title)  \(t("mangler", "missing")): \($0)" } ?? title
    }

    /// What an empty list says: "Ingen", or, when a source is missing, that the others have none.
    func emptyList(_ overview: PatientOverview?) -> String {
        guard let missing = missingSources(overview) else { return none }
        return t(
            "Ingen fra de kilder der svarede; mangler: \(missing)", "None from the sources that answered; missing: \(missing)")
    }

    func gender(_ code: String?) -> String? {
        switch code {
        case "male": return t("mand", "male")
        case "female": return t("kvinde", "female")
        case nil: return nil
        default: return t("andet", "other")
        }
    }

    func age(_ seconds: Double) -> String {
        // Never negative: a time stamped a moment after the screen's clock last ticked is "0 s" old.
        let s = max(0, Int(seconds.rounded()))
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min" }
        if s < 86_400 { return t("\(s / 3600) t", "\(s / 3600) h") }
        return t("\(s / 86_400) d", "\(s / 86_400) d")
    }

    /// A source's status, short, in words (colour only repeats it).
    func sourceState(_ status: SourceStatus, now: Foundation.Date) -> String {
        let age = status.age(at: now).map(self.age)
        switch status.state {
        case .ok: return t("ok", "ok")
        case .cached: return t("cache \(age ?? "?")", "cache \(age ?? "?")")
        case .stale: return t("FORÆLDET \(age ?? "?")", "STALE \(age ?? "?")")
        case .timedOut: return t("SVARER IKKE", "NO ANSWER")
        case .error: return t("FEJL", "ERROR")
        case .notFound: return t("ikke fundet", "not found")
        case .loading: return t("henter…", "fetching…")
        case .denied: return t("NÆGTET", "DENIED")
        case .withheld: return t("TILBAGEHOLDT", "WITHHELD")
        }
    }

    /// Status and flag words of items (built in Danish by the client) in the UI language.
    func word(_ danish: String?) -> String? {
        guard let danish, language == .en else { return danish }
        return Self.english[danish] ?? danish
    }

    /// Header flags: "Allergi: X" and "I akutmodtagelsen nu (...)" in the UI language.
    func flagLine(_ danish: String) -> String {
        guard language == .en else { return danish }
        var text = danish.replacingOccurrences(of: "Allergi: ", with: "Allergy: ")
        for (da, en) in Self.english where text.hasPrefix(da) { text = en + text.dropFirst(da.count) }
        return text
    }

    static let english: [String: String] = [
        "Data tilbageholdt efter patientens ønske": "Data withheld at the patient's request",
        "Ingen aktuel behandlingsrelation til patienten. Ved behov: værdispring med begrundelse (logges)":
            "No current care relationship with the patient. If needed: emergency access with a reason (logged)",
        "aktiv": "active", "afsluttet": "finished", "igangværende": "in progress", "planlagt": "planned", "ankommet": "arrived",
        "visiteret": "triaged", "på orlov": "on leave", "aflyst": "cancelled", "fejlregistreret": "entered in error",
        "recidiv": "recurrence", "tilbagefald": "relapse", "inaktiv": "inactive", "i remission": "in remission",
        "kommende": "upcoming", "booket": "booked", "foreslået": "proposed", "afventer": "pending", "gennemført": "done",
        "udeblevet": "no-show", "tjekket ind": "checked in", "venteliste": "waiting list", "seponeret": "stopped",
        "pauseret": "on hold", "tages ikke": "not taken", "ukendt": "unknown", "ophørt": "revoked", "kladde": "draft",
        "gældende": "current", "erstattet": "superseded", "endeligt": "final", "foreløbigt": "preliminary", "rettet": "amended",
        "registreret": "registered", "annulleret": "cancelled", "Høj": "High", "Lav": "Low", "Kritisk høj": "Critically high",
        "Kritisk lav": "Critically low", "Afvigende": "Abnormal", "Kritisk afvigende": "Critically abnormal",
        "Høj kritikalitet": "High criticality", "I akutmodtagelsen nu": "In the emergency department now",
        "Indlagt nu": "Admitted now", "I gang nu": "Ongoing now",
    ]

    func periodName(_ period: TimelinePeriod) -> String {
        switch period {
        case .all: return all
        case .year: return t("1 år", "1 year")
        case .quarter: return t("3 mdr.", "3 months")
        case .month: return t("30 dage", "30 days")
        }
    }
}
