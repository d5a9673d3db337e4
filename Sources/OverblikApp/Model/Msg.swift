import EventStream
import FHIR
import Federation
import Foundation
import Terminal
import Words

/// Everything that can change the model: keys, the terminal's size, results of background work, the clock.
public enum Msg: Sendable {
    case key(Key)
    case resized(width: Int, height: Int)
    /// A complete or partial overview (sources still fetching have the `loading` state).
    case overviewLoaded(PatientOverview, complete: Bool)
    case boardLoaded([BoardEntry], at: Date)
    case boardFailed([Phrase])
    /// A name search's matches, and what the sources left out (for lack of access).
    case matchesLoaded(query: String, [PatientMatch], leftOut: [Phrase] = [])
    case tick(Date)
    /// From the event stream: a state change or a notification.
    case stream(StreamUpdate)
    /// A patient's name, looked up for a notification.
    case patientNamed(CPRNumber, String)
    /// "Min log": the user's access log from the gateway, or why it could not be had.
    case accessLogLoaded([AccessLogEntry])
    case accessLogFailed(Phrase)
    /// The patient's summary (an IPS document) from the gateway, when it came; or why there is none.
    case summaryLoaded(CPRNumber, JSONValue, at: Date)
    case summaryFailed(CPRNumber, Phrase)
    /// `E`: the summary is written to this file, or why it could not be.
    case summaryExported(path: String)
    case summaryExportFailed(Phrase)
    /// The AppStore's catalogue, and the apps' reads of the open patient's data (or why they cannot be shown).
    case appsLoaded([AppListing], reads: [AccessLogEntry]?, readsNote: Phrase?)
    case appsFailed(Phrase)
    /// An installed app was started on the patient (an EHR launch), or why it could not be.
    case appLaunched(AppLaunch)
    case appLaunchFailed(clientID: String, Phrase)
    /// The citizen's choice on secondary use as the gateway keeps it (after asking, or after changing it).
    case researchOptOut(Bool, changed: Bool)
    case researchOptOutFailed(Phrase)
}

/// Work the update asks for; the runtime does it in the background and answers with a `Msg`.
public enum Effect: Sendable, Equatable {
    case loadOverview(CPRNumber, refresh: Bool)
    case loadBoard
    case searchByName(String)
    /// Forget cached answers about the patient from that source (or all), before reloading.
    case invalidate(CPRNumber, source: String?)
    case lookupName(CPRNumber)
    /// Open the patient under emergency access (værdispring) with this reason, for the session.
    case grantEmergency(CPRNumber, reason: String)
    case loadAccessLog
    /// The patient's summary from the gateway's `$summary`, in the model's language.
    case loadSummary(CPRNumber)
    /// Writes the summary (the document as it came) to a file of its own, readable by the user only.
    case exportSummary(CPRNumber, Data)
    /// The AppStore's catalogue; with a patient open, the apps that read their data (the access log).
    case loadApps(CPRNumber?)
    /// Starts the installed app on the patient as the user (`POST /auth/smart/launch`).
    case launchApp(clientID: String, CPRNumber)
    /// The citizen's opt-out of secondary use: asked for (nil), or set.
    case researchOptOut(Bool?)
    case quit
}
