import FHIR
import Foundation
import Synchronization

/// Plays Bruno Test Elmer's journey through the sources on an accelerated clock, with background traffic of other
/// arrivals and discharges: each step changes a source's data (`DemoSourceServer.change`), and the source announces
/// it to the event engine like any change. Scenario time runs `speed` times as fast as real time.
public final class ScenarioPlayer: Sendable {
    public struct Step: Sendable {
        /// Scenario seconds after the start.
        public let at: Double
        public let title: String
        let apply: @Sendable (ScenarioPlayer, Date) throws -> Void
    }

    public let cluster: DemoSourceCluster
    public let speed: Double
    let report: @Sendable (String) -> Void
    private let tasks = Mutex<[Task<Void, Never>]>([])
    private let background = Mutex(BackgroundState())

    struct BackgroundState {
        var next = 0
        var present: [(patient: DemoManifest.PatientEntry, encounter: String, start: Date)] = []
        var count = 0
    }

    /// - Parameters:
    ///   - speed: scenario seconds per real second (1: Bruno arrives 15 s after the start).
    ///   - report: told each step as it happens (the CLI prints it; the TUI stays quiet).
    public init(cluster: DemoSourceCluster, speed: Double = 1, report: @escaping @Sendable (String) -> Void = { _ in }) {
        self.cluster = cluster
        self.speed = max(0.01, speed)
        self.report = report
    }

    /// Bruno Test Elmer, the patient the story is about.
    public static let brunoCPR = "2509479989"

    var bruno: DemoManifest.PatientEntry? {
        cluster.data.manifest.patients.first { $0.cpr == Self.brunoCPR }
    }

    /// Starts playing; returns at once.
    public func start() {
        let steps = self.steps()
        let started = ContinuousClock.now
        let speed = self.speed
        let story = Task {
            for step in steps {
                let due = started + .milliseconds(Int64(step.at / speed * 1000))
                try? await Task.sleep(until: due, clock: .continuous)
                if Task.isCancelled { return }
                do {
                    try step.apply(self, Date())
                    self.report(Self.clock(step.at) + "  " + step.title)
                } catch {
                    self.report(Self.clock(step.at) + "  " + step.title + " — fejlede: \(error)")
                }
            }
        }
        let traffic = Task {
            var tick = 0.0
            while !Task.isCancelled {
                tick += 20
                try? await Task.sleep(until: started + .milliseconds(Int64((tick + 5) / speed * 1000)), clock: .continuous)
                if Task.isCancelled { return }
                if let line = try? self.backgroundStep(Date()) { self.report(Self.clock(tick + 5) + "  " + line) }
            }
        }
        tasks.withLock { $0 += [story, traffic] }
    }

    public func stop() {
        for task in tasks.withLock({ $0 }) { task.cancel() }
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds)
        return String(format: "%02d:%02d", total / 60, total % 60)
    }

    // MARK: Bruno's journey

    func steps() -> [Step] {
        guard let bruno, let hospitalID = bruno.sources["hospital"] else { return [] }
        let name = bruno.name
        let encounter = "h-enc-scn-1"
        let reason = (code: "DJ441", display: "KOL med akut eksacerbation")
        let journey = Journey()
        let cluster = self.cluster
        @Sendable func change(_ source: String, _ json: JSONValue, topic: String?) throws {
            guard let server = cluster.server(source) else { throw DemoSourceError.unknownSource(source) }
            try server.change(json, topic: topic)
        }
        @Sendable func encounterJSON(
            _ cls: String, _ status: String, _ department: ScenarioResources.Department, end: Date? = nil
        )
            -> JSONValue
        {
            ScenarioResources.encounter(
                id: encounter, patient: hospitalID, name: name, encounterClass: cls, status: status, department: department,
                start: (cls == "EMER" ? journey.arrived.withLock { $0 } : journey.admitted.withLock { $0 }) ?? Date(), end: end,
                reason: reason)
        }
        @Sendable func labs(_ values: [(ScenarioResources.LabTest, Double)], _ round: Int, at date: Date) throws {
            for (index, (test, value)) in values.enumerated() {
                try change(
                    "hospital",
                    ScenarioResources.lab(
                        id: "h-lab-scn-\(round)-\(index)", patient: hospitalID, name: name, test: test, value: value,
                        at: date, encounter: encounter), topic: "laboratoriesvar")
            }
        }
        var steps: [Step] = [
            Step(at: 15, title: "\(name) ankommer til akutmodtagelsen, Herlev (STAA)") { _, now in
                journey.arrived.withLock { $0 = now }
                try change("hospital", encounterJSON("EMER", "in-progress", .akut), topic: "akut-ankomst")
            },
            Step(at: 35, title: "Blodprøvesvar til \(name): CRP 142, hæmoglobin 7,9") { _, now in
                try labs([(.crp, 142), (.hb, 7.9), (.krea, 98)], 1, at: now)
            },
            Step(at: 75, title: "\(name) indlægges på Lungemedicinsk afdeling (STIN)") { _, now in
                journey.admitted.withLock { $0 = now }
                try change("hospital", encounterJSON("IMP", "in-progress", .lunge), topic: "indlaeggelse")
            },
            Step(at: 110, title: "Blodprøvesvar til \(name): CRP 88") { _, now in
                try labs([(.crp, 88), (.hb, 8.1)], 2, at: now)
            },
            Step(at: 150, title: "\(name) på orlov (STOR)") { _, _ in
                try change("hospital", encounterJSON("IMP", "onleave", .lunge), topic: "orlov")
            },
            Step(at: 175, title: "\(name) tilbage fra orlov (SLOR)") { _, _ in
                try change("hospital", encounterJSON("IMP", "in-progress", .lunge), topic: "orlov")
            },
            Step(at: 205, title: "Blodprøvesvar til \(name): CRP 31") { _, now in
                try labs([(.crp, 31)], 3, at: now)
            },
            Step(at: 230, title: "Epikrise til \(name) fra Lungemedicinsk afdeling") { _, now in
                try change(
                    "hospital",
                    ScenarioResources.dischargeLetter(
                        id: "h-doc-scn-1", patient: hospitalID, name: name, cpr: bruno.cpr, encounter: encounter,
                        admitted: journey.admitted.withLock { $0 } ?? now, discharged: now), topic: "epikrise")
            },
            Step(at: 235, title: "\(name) udskrives til eget hjem (SLHJ)") { _, now in
                try change("hospital", encounterJSON("IMP", "finished", .lunge, end: now), topic: "udskrivning")
            },
        ]
        if let municipalityID = bruno.sources["municipality"] {
            steps.append(
                Step(at: 265, title: "Hjemmesygeplejen skriver notat om \(name)") { _, now in
                    try change(
                        "municipality",
                        ScenarioResources.homeCareNote(
                            id: "m-note-scn-1", patient: municipalityID, name: name,
                            text:
                                "Besøg efter udskrivelse: Bruno er kommet hjem fra Gentofte. Prednisolon doseret for 5 dage. Let forpustet ved gang, saturation 93 %. Aftalt besøg dagligt resten af ugen.",
                            at: now), topic: "hjemmeplejenotat")
                })
        }
        if let gpID = bruno.sources["gp"] {
            steps.append(
                Step(at: 290, title: "Egen læge booker kontrol til \(name) om en uge") { _, now in
                    let start = Self.weekdayMorning(after: now.addingTimeInterval(7 * 86400))
                    journey.booked.withLock { $0 = start }
                    try change(
                        "gp",
                        ScenarioResources.appointment(
                            id: "gp-appt-scn-1", patient: gpID, name: name, start: start, created: now),
                        topic: "aftale")
                })
            steps.append(
                Step(at: 320, title: "Kontrollen til \(name) flyttes en dag") { _, now in
                    let start = Self.weekdayMorning(
                        after: (journey.booked.withLock { $0 } ?? now.addingTimeInterval(7 * 86400)).addingTimeInterval(86400))
                    try change(
                        "gp",
                        ScenarioResources.appointment(
                            id: "gp-appt-scn-1", patient: gpID, name: name, start: start, created: now),
                        topic: "aftale")
                })
        }
        return steps
    }

    /// What the story remembers between steps.
    final class Journey: Sendable {
        let arrived = Mutex<Date?>(nil)
        let admitted = Mutex<Date?>(nil)
        let booked = Mutex<Date?>(nil)
    }

    /// 09:30 Danish time on the first weekday on or after `date`.
    static func weekdayMorning(after date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = FHIRDateTime.danishTimeZone
        var day = calendar.startOfDay(for: date)
        while [1, 7].contains(calendar.component(.weekday, from: day)) {
            day = calendar.date(byAdding: .day, value: 1, to: day) ?? day
        }
        return calendar.date(bySettingHour: 9, minute: 30, second: 0, of: day) ?? day
    }

    // MARK: Background traffic

    /// Every other tick someone arrives at akutmodtagelsen, else the one who came first goes home; the second arrival
    /// is corrected (RE_STAA), the third cancelled as registered in error (AN_STAA).
    func backgroundStep(_ now: Date) throws -> String? {
        guard let hospital = cluster.server("hospital") else { return nil }
        let candidates = cluster.data.manifest.patients.filter { entry in
            entry.sources["hospital"] != nil && entry.cpr != Self.brunoCPR
                && !entry.tags.contains(where: { $0.hasPrefix("at-hospital") || $0 == "hostile-text" })
        }
        guard !candidates.isEmpty else { return nil }
        enum Action {
            case arrive(DemoManifest.PatientEntry, String)
            case correct(DemoManifest.PatientEntry, String, Date)
            case cancel(DemoManifest.PatientEntry, String, Date)
            case discharge(DemoManifest.PatientEntry, String, Date)
        }
        let action: Action? = background.withLock { state in
            state.count += 1
            if state.count == 3, let first = state.present.first {
                return .correct(first.patient, first.encounter, first.start)
            }
            if state.count == 6, state.present.count >= 2 {
                let second = state.present.remove(at: 1)
                return .cancel(second.patient, second.encounter, second.start)
            }
            if state.count % 2 == 1 || state.present.count < 2 {
                let patient = candidates[state.next % candidates.count]
                state.next += 1
                let encounter = "h-enc-scn-bg-\(state.next)"
                state.present.append((patient, encounter, now))
                return .arrive(patient, encounter)
            }
            let first = state.present.removeFirst()
            return .discharge(first.patient, first.encounter, first.start)
        }
        guard let action else { return nil }
        let fever = (code: "DR509", display: "Feber uden kendt årsag")
        func encounter(
            _ patient: DemoManifest.PatientEntry, _ id: String, _ status: String, start: Date, end: Date? = nil,
            reason: (code: String, display: String) = fever
        ) -> JSONValue {
            ScenarioResources.encounter(
                id: id, patient: patient.sources["hospital"] ?? "", name: patient.name, encounterClass: "EMER",
                status: status, department: .akut, start: start, end: end, reason: reason)
        }
        switch action {
        case .arrive(let patient, let id):
            try hospital.change(encounter(patient, id, "in-progress", start: now), topic: "akut-ankomst")
            return "\(patient.name) ankommer til akutmodtagelsen (STAA)"
        case .correct(let patient, let id, let start):
            try hospital.change(
                encounter(patient, id, "in-progress", start: start, reason: (code: "DR074", display: "Brystsmerter")),
                topic: "akut-ankomst")
            return "Ankomsten af \(patient.name) rettes (RE_STAA)"
        case .cancel(let patient, let id, let start):
            try hospital.change(encounter(patient, id, "entered-in-error", start: start), topic: "akut-ankomst")
            return "Ankomsten af \(patient.name) var registreret ved en fejl (AN_STAA)"
        case .discharge(let patient, let id, let start):
            try hospital.change(encounter(patient, id, "finished", start: start, end: now), topic: "udskrivning")
            return "\(patient.name) går hjem fra akutmodtagelsen (SLHJ)"
        }
    }
}
