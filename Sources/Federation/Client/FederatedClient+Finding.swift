import FHIR
import Foundation
import NIOCore
import Synchronization
import Words

// Finding patients: the emergency department's board, the name search, a notified patient's name.
extension FederatedClient {
    // MARK: - Finding patients

    /// The patients in an emergency department right now, from every hospital source: encounters of class EMER that
    /// are in progress, newest first, with the patients' names and CPR numbers.
    /// `fetchedAt` is when the oldest part was fetched (older than now when a source failed and its cached board
    /// was used; `failures` then says why).
    public func emergencyBoard() async -> (entries: [BoardEntry], failures: [Phrase], fetchedAt: Date) {
        let hospitals = registry.clinical.filter { $0.sector == .hospital }
        let parts = await withTaskGroup(of: (Int, [BoardEntry], Phrase?, Date).self) { group in
            for (index, source) in hospitals.enumerated() {
                group.addTask {
                    let deadline = NIODeadline.now() + .milliseconds(Int64(source.timeoutMs))
                    let url = "\(source.fhir)/Encounter?class=EMER&status=in-progress&_count=200"
                    switch await self.allPages(
                        source: source, url: url, type: "Encounter", cpr: "", deadline: deadline, refresh: true)
                    {
                    case .failure(let failure):
                        return (index, [], Self.fromSource(source, failure.reason), Date())
                    case .success(let pages):
                        let fetchedAt = pages.origins.map(\.fetchedAt).min() ?? Date()
                        let stale = pages.origins.compactMap { origin -> FetchFailure? in
                            if case .stale(_, let failure) = origin { return failure }
                            return nil
                        }.first.map { Self.fromSource(source, $0.reason) }
                        let encounters = pages.resources.compactMap { fetched -> Encounter? in
                            if case .encounter(let encounter) = fetched.resource { return encounter }
                            return nil
                        }
                        let ids = Array(Set(encounters.compactMap { $0.subject?.target?.id })).sorted()
                        guard !ids.isEmpty else { return (index, [], stale, fetchedAt) }
                        let patientsURL = "\(source.fhir)/Patient?_id=\(Self.encode(ids.joined(separator: ",")))&_count=200"
                        guard
                            case .success(let people) = await self.allPages(
                                source: source, url: patientsURL, type: "Patient", cpr: "", deadline: deadline, refresh: false)
                        else { return (index, [], Self.fromSource(source, Phrase("failure.board-patients")), fetchedAt) }
                        var byID: [String: Patient] = [:]
                        for fetched in people.resources {
                            if case .patient(let patient) = fetched.resource, let id = patient.id { byID[id] = patient }
                        }
                        let entries = encounters.compactMap { encounter -> BoardEntry? in
                            guard let id = encounter.subject?.target?.id, let patient = byID[id],
                                let cpr = patient.cpr.flatMap({ try? CPRNumber($0) })
                            else { return nil }
                            return BoardEntry(
                                cpr: cpr, name: TextSanitizer.cleanLine(patient.preferredName?.displayName ?? "?"),
                                arrivedAt: encounter.period?.start,
                                department: encounter.serviceProvider?.display.map { TextSanitizer.cleanLine($0) },
                                reason: encounter.reasonCode?.first?.displayText.map { TextSanitizer.cleanLine($0) },
                                sourceID: source.id)
                        }
                        return (index, entries, stale, fetchedAt)
                    }
                }
            }
            var all: [(Int, [BoardEntry], Phrase?, Date)] = []
            for await part in group { all.append(part) }
            return all.sorted { $0.0 < $1.0 }
        }
        let entries = parts.flatMap(\.1).sorted {
            ($0.arrivedAt?.lowerBound ?? .distantPast) > ($1.arrivedAt?.lowerBound ?? .distantPast)
        }
        return (entries, parts.compactMap(\.2), parts.map(\.3).min() ?? Date())
    }

    /// Patients found by name at every source, one entry per CPR number: every typed word must begin a word of the
    /// name, in any order ("Bruno Test Elmer", "bruno elmer"; `NameMatch`). The sources are asked for the longest
    /// word (a FHIR `name` search matches the start of one part), and the answers are held to every word here.
    public func findPatients(name prefix: String) async -> [PatientMatch] {
        await searchPatients(name: prefix).matches
    }

    /// The matches of a name search, and what the sources (a gateway) said they left out: "2 poster om patienter
    /// uden aktuel behandlingsrelation er udeladt" (in both languages, as the gateway's outcome has it), so the user
    /// knows that "no one found" may mean "no one you may see".
    public func searchPatients(name prefix: String) async -> NameSearch {
        let typed = TextSanitizer.cleanLine(prefix, maxLength: 80)
        let words = typed.split { $0 == " " || $0 == "," || $0 == "\t" }.map(String.init)
        guard let query = words.max(by: { $0.count < $1.count }) else { return NameSearch(matches: [], notes: []) }
        let answers = await withTaskGroup(of: ([(Patient, SourceDefinition)], [Phrase]).self) { group in
            for source in registry.clinical {
                group.addTask {
                    let deadline = NIODeadline.now() + .milliseconds(Int64(source.timeoutMs))
                    let url = "\(source.fhir)/Patient?name=\(Self.encode(query))&_count=50"
                    guard
                        case .success(let pages) = await self.allPages(
                            source: source, url: url, type: "Patient", cpr: "", deadline: deadline, refresh: true)
                    else { return ([], []) }
                    var patients: [(Patient, SourceDefinition)] = []
                    var notes: [Phrase] = []
                    for fetched in pages.resources {
                        switch fetched.resource {
                        case .patient(let patient): patients.append((patient, source))
                        case .operationOutcome(let outcome):
                            for issue in outcome.issue where issue.code == "suppressed" {
                                guard let danish = issue.diagnostics.map({ TextSanitizer.cleanLine($0, maxLength: 200) })
                                else { continue }
                                let english = issue.details?.text.map { TextSanitizer.cleanLine($0, maxLength: 200) }
                                notes.append(
                                    .translated(
                                        danish: "\(source.name): \(danish)", english: english.map { "\(source.name): \($0)" }))
                            }
                        default: break
                        }
                    }
                    return (patients, notes)
                }
            }
            var all: [([(Patient, SourceDefinition)], [Phrase])] = []
            for await part in group { all.append(part) }
            return all
        }
        let found = answers.flatMap(\.0)
        var byCPR: [String: PatientMatch] = [:]
        for (patient, source) in found {
            let names = (patient.name ?? []).flatMap(NameMatch.words(of:))
            guard NameMatch.matches(typed, name: names) else { continue }
            guard let cpr = patient.cpr.flatMap({ try? CPRNumber($0) }) else { continue }
            if var existing = byCPR[cpr.value] {
                existing.sources.append(source.id)
                byCPR[cpr.value] = existing
            } else {
                byCPR[cpr.value] = PatientMatch(
                    cpr: cpr, name: TextSanitizer.cleanLine(patient.preferredName?.displayName ?? "?"),
                    birthDate: patient.birthDate,
                    sources: [source.id])
            }
        }
        return NameSearch(matches: byCPR.values.sorted { $0.name < $1.name }, notes: answers.flatMap(\.1))
    }

    /// The patient's name from the first source that knows the CPR number (cached like any answer).
    public func patientName(cpr: CPRNumber) async -> String? {
        let identifier = "\(DanishSystems.cpr)|\(cpr.value)"
        for source in registry.clinical {
            let deadline = NIODeadline.now() + .milliseconds(Int64(source.timeoutMs))
            let url = "\(source.fhir)/Patient?identifier=\(Self.encode(identifier))"
            guard
                case .success(let pages) = await allPages(
                    source: source, url: url, type: "Patient", cpr: cpr.value, deadline: deadline, refresh: false)
            else { continue }
            for fetched in pages.resources {
                if case .patient(let patient) = fetched.resource, patient.cpr == cpr.value,
                    let name = patient.preferredName?.displayName
                {
                    return TextSanitizer.cleanLine(name)
                }
            }
        }
        return nil
    }

    /// Forgets that cached answers about this patient are fresh (from one source or all), so the next overview asks
    /// the sources again. The event stream calls this when a source announces a change.
    public func invalidate(cpr: CPRNumber, source: String? = nil) {
        memory.invalidate(patient: cpr.value, source: source)
        _ = try? cache?.invalidate(patient: cpr.value, source: source)
    }
}
