import DemoSources
import EventStream
import FHIR
import Federation
import Foundation
import OverblikApp
import Terminal
import TestSupport
import Words

/// Deterministic models for screen tests: overviews built from demo-data directly (no network, a fixed clock,
/// fixed fetch times), so every run draws the same screens.
enum AppFixtures {
    static let now = try! FHIRDateTime("2026-11-23T10:00:00+01:00").lowerBound
    static let fetchedAt = now.addingTimeInterval(-90)

    static let data: DemoDataSet = try! DemoFixtures.data()

    static func sourceDefinition(_ source: DemoManifest.Source) -> SourceDefinition {
        SourceDefinition(
            id: source.id, name: source.name, sector: Sector(rawValue: source.sector) ?? .other,
            fhir: "http://127.0.0.1:8101/fhir")
    }

    /// The overview of a demo patient, as the client would assemble it with every source answering.
    static func overview(_ cpr: String, states: [String: SourceStatus.State] = [:]) -> PatientOverview {
        let entry = data.manifest.patients.first { $0.cpr == cpr }!
        var results: [SourceResult] = []
        for source in data.manifest.clinicalSources {
            let definition = sourceDefinition(source)
            let state = states[source.id] ?? (entry.sources[source.id] == nil ? .notFound : .ok)
            var status = SourceStatus(
                sourceID: source.id, sourceName: source.name, sector: definition.sector, state: state, fetchedAt: fetchedAt,
                message: message(for: state), resourceCount: 0, elapsedMs: 40)
            guard let id = entry.sources[source.id], ![.error, .denied, .withheld].contains(state) else {
                results.append(SourceResult(source: definition, status: status))
                continue
            }
            var patients: [Patient] = []
            var resources: [FetchedResource] = []
            for json in data.resources[source.id] ?? [] {
                let refersToPatient =
                    json["subject"]?["reference"]?.stringValue == "Patient/\(id)"
                    || json["patient"]?["reference"]?.stringValue == "Patient/\(id)"
                    || (json["participant"]?.arrayValue ?? []).contains {
                        $0["actor"]?["reference"]?.stringValue == "Patient/\(id)"
                    }
                let isPatient = json["resourceType"]?.stringValue == "Patient" && json["id"]?.stringValue == id
                guard refersToPatient || isPatient,
                    let resource = try? FHIRJSON.decode(AnyResource.self, from: Data(json.sanitized().serialized()))
                else { continue }
                if case .patient(let patient) = resource {
                    patients.append(patient)
                } else {
                    resources.append(FetchedResource(resource: resource, fetchedAt: fetchedAt))
                }
            }
            status.resourceCount = resources.count + patients.count
            results.append(SourceResult(source: definition, status: status, patients: patients, resources: resources))
        }
        return OverviewBuilder.build(cpr: cpr, results: results, now: now)
    }

    /// What the client says for a failed, refused or withheld source (the gateway's Danish reason).
    /// What the client makes of each failure: its own words for a refused connection, the gateway's words (in both
    /// languages, as its OperationOutcome has them) for a refusal.
    static func message(for state: SourceStatus.State) -> Phrase? {
        switch state {
        case .error: Phrase("failure.refused")
        case .denied:
            .translated(
                danish: "Ingen aktuel behandlingsrelation til patienten. Ved behov: værdispring med begrundelse (logges)",
                english: "No current care relationship with the patient. If needed: emergency access with a reason (logged)")
        case .withheld:
            .translated(
                danish: "Data tilbageholdt efter patientens ønske", english: "Data withheld at the patient's request")
        default: nil
        }
    }

    /// Bruno's log as the gateway returns it to him: his own lookups, his GP, and an emergency access.
    /// A summary document as the gateway's `$summary` gives one to the ED doctor: the card's medication, the GP's data
    /// withheld (said under the lists, and as the reason of an empty section), vaccinations, and markup and control
    /// characters from a source that must reach the screen as text.
    static func summaryDocument(_ language: Language) -> JSONValue {
        let da = language == .da
        let xhtml = "http://www.w3.org/1999/xhtml"
        func list(_ items: [String], note: String? = nil) -> JSONValue {
            let body = "<ul>" + items.map { "<li>\($0)</li>" }.joined() + "</ul>" + (note.map { "<p>\($0)</p>" } ?? "")
            return .object(["status": .string("generated"), "div": .string("<div xmlns=\"\(xhtml)\">\(body)</div>")])
        }
        let withheld =
            da
            ? "Lægehuset Herlev Bygade (lægesystem): Data tilbageholdt efter patientens ønske"
            : "Lægehuset Herlev Bygade (lægesystem): Data withheld at the patient&#39;s request"
        let note = (da ? "Ikke med her: " : "Not included here: ") + withheld
        func section(_ code: String, _ title: String, _ items: [String], empty: String? = nil) -> JSONValue {
            var object: JSONObject = [
                "title": .string(title),
                "code": .object(["coding": .array([.object(["system": .string("http://loinc.org"), "code": .string(code)])])]),
            ]
            if let empty {
                object["emptyReason"] = .object(["coding": .array([.object(["code": .string(empty)])])])
                object["text"] = .object([
                    "status": .string("generated"),
                    "div": .string(
                        "<div xmlns=\"\(xhtml)\"><p>\(da ? "Ingen oplysninger: data er tilbageholdt" : "No information: the data is withheld") (\(withheld))</p></div>"
                    ),
                ])
            } else {
                object["entry"] = .array(items.indices.map { .object(["reference": .string("urn:uuid:item-\(code)-\($0)")]) })
                object["text"] = list(items, note: note)
            }
            return .object(object)
        }
        let composition: JSONValue = .object([
            "resourceType": .string("Composition"), "title": .string(da ? "Patientresumé" : "Patient Summary"),
            "date": .string("2026-11-23T09:59:55+01:00"), "subject": .object(["reference": .string("urn:uuid:patient")]),
            "section": .array([
                section(
                    "10160-0", da ? "Medicin" : "Medication",
                    [
                        "Furosemid — 40 mg 1 gang dagligt", "Metformin — 1000 mg 2 gange dagligt",
                        "&lt;script&gt;Tiotropium&amp;#27;&lt;/script&gt; &#x1B;[31m1 inhalation dagligt",
                    ]),
                section("48765-2", da ? "Allergier og intolerancer" : "Allergies and intolerances", [], empty: "withheld"),
                section("11450-4", da ? "Aktuelle problemer" : "Current problems", ["KOL med akut eksacerbation — 2026-11-23"]),
                section(
                    "11369-6", da ? "Vaccinationer" : "Immunizations",
                    ["Influenzavaccine — 2025-10-14", "COVID-19-vaccine — 2025-10-14", "Pneumokokvaccine — 2021-03-02"]),
            ]),
        ])
        let patient: JSONValue = .object([
            "resourceType": .string("Patient"),
            "name": .array([.object(["family": .string("Elmer"), "given": .array([.string("Bruno"), .string("Test")])])]),
        ])
        return .object([
            "resourceType": .string("Bundle"), "type": .string("document"),
            "entry": .array([
                .object(["fullUrl": .string("urn:uuid:composition"), "resource": composition]),
                .object(["fullUrl": .string("urn:uuid:patient"), "resource": patient]),
            ]),
        ])
    }

    static let accessLog: [AccessLogEntry] = {
        func event(
            _ sequence: Int, _ minutesAgo: Double, who: String, role: String, organization: String?, source: String,
            outcome: String = "0", description: String? = nil, emergency: Bool = false
        ) -> AccessLogEntry {
            var agents: [JSONValue] = [
                .object([
                    "who": .object(["display": .string(who)]), "requestor": .bool(true),
                    "role": .array([.object(["text": .string(role)])]),
                ])
            ]
            if let organization {
                agents.append(.object(["who": .object(["display": .string(organization)]), "requestor": .bool(false)]))
            }
            var extensions: [JSONValue] = [
                .object([
                    "url": .string("https://sundhedscloud.dk/fhir/StructureDefinition/audit-chain"),
                    "extension": .array([.object(["url": .string("sequence"), "valueInteger64": .string(String(sequence))])]),
                ])
            ]
            if emergency {
                extensions.append(
                    .object([
                        "url": .string("https://sundhedscloud.dk/fhir/StructureDefinition/audit-emergency"),
                        "valueBoolean": .bool(true),
                    ]))
            }
            var resource: JSONObject = [
                "resourceType": .string("AuditEvent"), "extension": .array(extensions),
                "recorded": .string(FHIRDateTime(date: now.addingTimeInterval(-minutesAgo * 60), precision: .fraction).text),
                "outcome": .string(outcome), "agent": .array(agents),
                "entity": .array([
                    .object([
                        "what": .object([
                            "type": .string("Patient"),
                            "identifier": .object(["system": .string(DanishSystems.cpr), "value": .string("2509479989")]),
                        ])
                    ]),
                    .object(["name": .string(source), "description": .string("Condition, Encounter")]),
                ]),
            ]
            if let description { resource["outcomeDesc"] = .string(description) }
            return AccessLogEntry(.object(resource))!
        }
        return [
            event(
                9, 2, who: "Rasmus Dahl", role: "doctor", organization: "Ortopædkirurgisk afdeling, Gentofte", source: "hospital",
                description: "Bevidstløs, ingen pårørende", emergency: true),
            event(
                8, 2.1, who: "Rasmus Dahl", role: "doctor", organization: "Ortopædkirurgisk afdeling, Gentofte", source: "gp",
                description: "Bevidstløs, ingen pårørende", emergency: true),
            event(
                7, 3, who: "Rasmus Dahl", role: "doctor", organization: "Ortopædkirurgisk afdeling, Gentofte", source: "hospital",
                outcome: "4", description: "afvist: no-relationship"),
            event(
                6, 45, who: "Mette Kjær", role: "ed-doctor", organization: "Akutmodtagelsen, Herlev", source: "gp", outcome: "4",
                description: "tilbageholdt: blocked-by-patient"),
            event(5, 46, who: "Mette Kjær", role: "ed-doctor", organization: "Akutmodtagelsen, Herlev", source: "hospital"),
            event(4, 300, who: "Hanne Østergaard", role: "gp", organization: "Lægehuset Herlev Bygade", source: "gp"),
            event(3, 1500, who: "borgeren selv", role: "citizen", organization: nil, source: "municipality"),
        ]
    }()

    static let board: [BoardEntry] = {
        var entries: [BoardEntry] = []
        let hospital = data.resources["hospital"] ?? []
        for json in hospital
        where json["resourceType"]?.stringValue == "Encounter" && json["status"]?.stringValue == "in-progress"
            && json["class"]?["code"]?.stringValue == "EMER"
        {
            guard let patientID = json["subject"]?["reference"]?.stringValue?.split(separator: "/").last.map(String.init),
                let entry = data.manifest.patients.first(where: { $0.sources["hospital"] == patientID })
            else { continue }
            entries.append(
                BoardEntry(
                    cpr: try! CPRNumber(entry.cpr), name: entry.name,
                    arrivedAt: json["period"]?["start"]?.stringValue.flatMap { try? FHIRDateTime($0) },
                    department: json["serviceProvider"]?["display"]?.stringValue,
                    reason: json["reasonCode"]?.arrayValue?.first?["coding"]?.arrayValue?.first?["display"]?.stringValue,
                    sourceID: "hospital"))
        }
        return entries.sorted { ($0.arrivedAt?.lowerBound ?? .distantPast) > ($1.arrivedAt?.lowerBound ?? .distantPast) }
    }()

    static func model(
        _ language: Language = .da, width: Int = 80, height: Int = 24, tier: ColorTier = .twoFiftySix, glyphs: Glyphs = .unicode
    ) -> Model {
        var model = Model(language: language, glyphs: glyphs, colorTier: tier, width: width, height: height, now: now)
        _ = Update.update(&model, .boardLoaded(board, at: fetchedAt))
        return model
    }

    /// A model with Bruno's overview open.
    static func bruno(_ language: Language = .da, width: Int = 80, height: Int = 24, tier: ColorTier = .twoFiftySix) -> Model {
        var model = model(language, width: width, height: height, tier: tier)
        for key in "2509479989" { _ = Update.update(&model, .key(.character(key))) }
        _ = Update.update(&model, .key(.enter))
        _ = Update.update(&model, .overviewLoaded(overview("2509479989"), complete: true))
        return model
    }
}

extension AppFixtures {
    /// 14:32 Danish time on the fixture day.
    static let arrival = try! FHIRDateTime("2026-11-23T14:32:00+01:00").lowerBound

    /// An event as the engine sends it.
    static func event(
        _ cpr: String, code: String, number: Int64, organization: String? = "Akutmodtagelsen, Herlev",
        source: String = "hospital"
    ) -> EventNotification {
        EventNotification(
            subscriptionID: "sub-1", number: number, timestamp: arrival, code: code, topic: "akut-ankomst",
            focus: "http://127.0.0.1:8101/fhir/Encounter/e\(number)", sourceID: source, cpr: try? CPRNumber(cpr),
            organization: organization == nil ? nil : "953741000016013", organizationName: organization,
            municipality: "0163")
    }
}

extension AppFixtures {
    /// The demo's two apps as the AppStore lists them.
    static let appListings = [
        AppListing(
            clientID: "vaxview", name: "VaxView", vendor: "Demo Vendor ApS",
            description: "Immunisation record from DDV", kind: "web-app", status: "approved",
            scopes: ["launch/patient", "patient/Immunization.rs", "patient/Patient.rs"], installedBy: ["Herlev"]),
        AppListing(
            clientID: "remindme", name: "RemindMe", vendor: "Demo Vendor ApS",
            description: "Due doses, for the GP", kind: "backend-service",
            status: "pilot", scopes: ["system/Immunization.rs", "system/Patient.rs"],
            installedBy: ["Herlev"]),
    ]

    /// Two reads of Bruno's data by the practice's backend service, a minute before `now`, and one without an app.
    static var appReads: [AccessLogEntry] {
        [("Immunization", "RemindMe"), ("Patient", "RemindMe"), ("Condition", nil)].enumerated()
            .compactMap { index, read in
                let when = FHIRDateTime(date: now.addingTimeInterval(Double(-60 - index)), precision: .second).text
                let app =
                    read.1.map { #",{"who":{"display":"\#($0)"},"requestor":false,"role":[{"text":"app"}]}"# } ?? ""
                let json = """
                    {"resourceType":"AuditEvent","recorded":"\(when)","outcome":"0",
                     "agent":[{"who":{"display":"\(read.1 == nil ? "Hanne Østergaard" : "Lægehuset Herlev Bygade")"},
                               "requestor":true,"role":[{"text":"gp"}]},
                              {"who":{"display":"Lægehuset Herlev Bygade"},"requestor":false,"role":[{"text":"organisation"}]}\(app)],
                     "entity":[{"name":"nsp","description":"\(read.0)"}]}
                    """
                return (try? JSONValue.parse(Data(json.utf8))).flatMap(AccessLogEntry.init)
            }
    }
}
