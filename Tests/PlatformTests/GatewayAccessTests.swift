import DemoSources
import FHIR
import Foundation
import Platform
import TestSupport
import Testing

extension GatewayTests {
    /// Every access rule, as a clinician, a citizen and log follow-up meet it: who gets Bruno Test Elmer's data,
    /// when, and what is logged.
    @Suite(.timeLimit(.minutes(3))) struct AccessRules {
        let brunoAtHospital = "/sources/hospital/fhir/Patient/\(GW.brunoHospital)"
        let brunosGPConditions = "/sources/gp/fhir/Condition?patient=\(GW.brunoGP)"

        @Test func theEDDoctorGetsAccessWhenBrunoArrivesAndNotBefore() async throws {
            try await GatewayHarness.with { h in
                let (before, refusal) = try await h.logged { try await h.get(brunoAtHospital, as: "akutlaege") }
                expectRefused(before, reason: "no-relationship", saying: "Ingen aktuel behandlingsrelation til patienten")
                #expect(before.english.contains("No current care relationship"))
                expectOneEntry(
                    refusal, user: "akutlaege", cpr: GW.bruno, source: "hospital", outcome: "denied", purpose: "TREAT",
                    reason: "no-relationship")
                #expect(refusal.first?.organization == GW.akutHerlev)
                #expect(refusal.first?.resourceTypes == ["Patient"])
                #expect(refusal.first?.action == "read")

                // The ambulance brings him in: an in-progress acute (EMER) encounter at Akutmodtagelsen, Herlev.
                let hospital = try h.source("hospital")
                let arrival = Notifications.encounter(
                    id: "h-enc-gw-arrival", patientID: GW.brunoHospital, sor: GW.akutHerlev)
                // Written into the source without an event: the gateway still goes by what it concluded (for 20 s).
                try hospital.store.upsert(arrival)
                let unannounced = try await h.get(brunoAtHospital, as: "akutlaege")
                #expect(unannounced.status == 403, "without an event the gateway keeps its conclusion a while")

                // Announced as the source does it (a notification to the engine): the old "no" is forgotten at once.
                let heard = Flag()
                h.engine.onStored { event in
                    if event.patientCPR == GW.bruno { heard.set() }
                }
                let announced = ContinuousClock.now
                try hospital.change(arrival, topic: "akut-ankomst")
                #expect(await eventually(within: .seconds(10)) { heard.isSet }, "the arrival reached the engine")
                let (after, access) = try await h.logged { try await h.get(brunoAtHospital, as: "akutlaege") }
                #expect(ContinuousClock.now - announced < .seconds(15), "well within the 20 s a conclusion is kept")
                #expect(after.status == 200, "\(after.text)")
                #expect(after.resourceType == "Patient")
                #expect(after.json?["id"]?.stringValue == GW.brunoHospital)
                expectOneEntry(
                    access, user: "akutlaege", cpr: GW.bruno, source: "hospital", outcome: "success", purpose: "TREAT")

                // The encounter itself, and a search of his encounters, are his data too.
                let encounter = try await h.get("/sources/hospital/fhir/Encounter/h-enc-gw-arrival", as: "akutlaege")
                #expect(encounter.status == 200, "\(encounter.text)")
                #expect(encounter.json?["class"]?["code"]?.stringValue == "EMER")
                let search = try await h.get(
                    "/sources/hospital/fhir/Encounter?patient=\(GW.brunoHospital)&status=in-progress", as: "akutlaege")
                #expect(search.status == 200)
                #expect(search.resources("Encounter").map { $0["id"]?.stringValue } == ["h-enc-gw-arrival"])

                // A care relationship does not lift Bruno's block on his GP data for hospital clinicians.
                let gp = try await h.get(brunosGPConditions, as: "akutlaege")
                expectRefused(
                    gp, code: "suppressed", reason: "blocked-by-patient", saying: AccessPolicy.withheldDanish)

                // His medication card (the national services) is not his GP's data: the block leaves it, and the
                // reading is logged under the doctor like any other.
                let onCard = try #require(
                    try DemoFixtures.data().manifest.patients.first { $0.cpr == GW.bruno }?.sources["nsp"])
                let (card, cardAccess) = try await h.logged {
                    try await h.get("/sources/nsp/fhir/MedicationRequest?patient=\(onCard)&status=active", as: "akutlaege")
                }
                #expect(card.status == 200, "\(card.text.prefix(300))")
                let drugs = card.resources("MedicationRequest").compactMap {
                    $0["medicationCodeableConcept"]?["text"]?.stringValue
                }
                #expect(drugs.contains("Furosemid"), "\(drugs)")
                expectOneEntry(
                    cardAccess, user: "akutlaege", cpr: GW.bruno, source: "nsp", outcome: "success", purpose: "TREAT")
            }
        }

        @Test func theGPSeesThePatientsOnThePracticeListOnly() async throws {
            try await GatewayHarness.with { h in
                let (own, entries) = try await h.logged {
                    try await h.get("/sources/gp/fhir/Patient/\(GW.brunoGP)", as: "egen-laege")
                }
                #expect(own.status == 200, "\(own.text)")
                #expect(own.json?["name"]?.listValue.first?["family"]?.stringValue == "Elmer")
                expectOneEntry(entries, user: "egen-laege", cpr: GW.bruno, source: "gp", outcome: "success", purpose: "TREAT")
                #expect(entries.first?.organization == GW.ydernummer)

                let (conditions, searched) = try await h.logged { try await h.get(brunosGPConditions, as: "egen-laege") }
                #expect(conditions.status == 200)
                #expect(!conditions.resources("Condition").isEmpty)
                #expect(conditions.resources.allSatisfy { $0["resourceType"]?.stringValue == "Condition" })
                expectOneEntry(searched, user: "egen-laege", cpr: GW.bruno, source: "gp", outcome: "success", purpose: "TREAT")
                #expect(searched.first?.action == "search")
                #expect(searched.first?.resourceTypes == ["Condition"])

                // The GP reads the hospital's data about a listed patient (the block concerns GP data only).
                #expect(try await h.get(brunoAtHospital, as: "egen-laege").status == 200)

                // A patient at the GP's system who is listed with another practice.
                let elsewhere = J([
                    "resourceType": "Patient", "id": "gp-gw-elsewhere",
                    "identifier": [["system": DanishSystems.cpr, "value": GW.einer]],
                    "name": [["family": "Lauridsen", "given": ["Einer", "Test"]]],
                    "generalPractitioner": [
                        ["identifier": ["system": DanishSystems.ydernummer, "value": "012345"], "display": "En anden praksis"]
                    ],
                ])
                try h.source("gp").change(elsewhere)
                let (other, refused) = try await h.logged {
                    try await h.get("/sources/gp/fhir/Patient/gp-gw-elsewhere", as: "egen-laege")
                }
                expectRefused(other, reason: "no-relationship", saying: "Ingen aktuel behandlingsrelation")
                expectOneEntry(
                    refused, user: "egen-laege", cpr: GW.einer, source: "gp", outcome: "denied", purpose: "TREAT",
                    reason: "no-relationship")
                // And at the hospital, a patient the practice does not have at all.
                let notListed = try await h.get("/sources/hospital/fhir/Patient/\(GW.einerHospital)", as: "egen-laege")
                expectRefused(notListed, reason: "no-relationship", saying: "Ingen aktuel behandlingsrelation")
            }
        }

        @Test func theHomeNurseSeesCitizensWithAnActiveCarePlanInHerMunicipality() async throws {
            try await GatewayHarness.with { h in
                let (plans, entries) = try await h.logged {
                    try await h.get(
                        "/sources/municipality/fhir/CarePlan?patient=\(GW.nancyMunicipality)", as: "hjemmesygeplejerske")
                }
                #expect(plans.status == 200, "\(plans.text)")
                #expect(plans.resources("CarePlan").count == 2)
                expectOneEntry(
                    entries, user: "hjemmesygeplejerske", cpr: GW.nancy, source: "municipality", outcome: "success",
                    purpose: "TREAT")
                // The relationship is with the citizen: her hospital data too.
                #expect(
                    try await h.get("/sources/hospital/fhir/Patient/\(GW.nancyHospital)", as: "hjemmesygeplejerske").status
                        == 200)

                // Einer lives in Høje-Taastrup (0159) and has no municipal care plan here.
                let (einer, refused) = try await h.logged {
                    try await h.get("/sources/hospital/fhir/Patient/\(GW.einerHospital)", as: "hjemmesygeplejerske")
                }
                expectRefused(einer, reason: "no-relationship", saying: "Ingen aktuel behandlingsrelation")
                expectOneEntry(
                    refused, user: "hjemmesygeplejerske", cpr: GW.einer, source: "hospital", outcome: "denied",
                    purpose: "TREAT", reason: "no-relationship")
            }
        }

        @Test func anUnrelatedDoctorNeedsEmergencyAccessWithAReason() async throws {
            try await GatewayHarness.with { h in
                let (plain, refused) = try await h.logged { try await h.get(brunoAtHospital, as: "laege-uden-relation") }
                expectRefused(plain, reason: "no-relationship", saying: "Ved behov: værdispring med begrundelse (logges)")
                expectOneEntry(
                    refused, user: "laege-uden-relation", cpr: GW.bruno, source: "hospital", outcome: "denied",
                    purpose: "TREAT", reason: "no-relationship")

                let (emergency, logged) = try await h.logged {
                    try await h.emergency(brunoAtHospital, as: "laege-uden-relation")
                }
                #expect(emergency.status == 200, "\(emergency.text)")
                #expect(emergency.json?["id"]?.stringValue == GW.brunoHospital)
                expectOneEntry(
                    logged, user: "laege-uden-relation", cpr: GW.bruno, source: "hospital", outcome: "success",
                    purpose: "EMERGENCY", reason: GW.emergencyReason, emergency: true)

                // Too short a reason, only spaces, or none: refused, and the attempt is logged.
                for reason in ["kort", "%20%20%20%20%20%20", ""] {
                    let (short, attempt) = try await h.logged {
                        try await h.emergency(brunoAtHospital, as: "laege-uden-relation", reason: reason)
                    }
                    expectRefused(short, reason: "emergency-reason", saying: "Værdispring kræver en begrundelse på mindst 5 tegn")
                    #expect(short.english.contains("at least 5 characters"))
                    expectOneEntry(
                        attempt, user: "laege-uden-relation", cpr: GW.bruno, source: "hospital", outcome: "denied",
                        purpose: "TREAT", reason: "emergency-reason")
                }
            }
        }

        @Test func brunosBlockWithholdsHisGPDataFromHospitalClinicians() async throws {
            try await GatewayHarness.with { h in
                for path in [brunosGPConditions, "/sources/gp/fhir/Patient/\(GW.brunoGP)"] {
                    let (withheld, logged) = try await h.logged { try await h.get(path, as: "laege-uden-relation") }
                    expectRefused(
                        withheld, code: "suppressed", reason: "blocked-by-patient",
                        saying: "Data tilbageholdt efter patientens ønske")
                    #expect(withheld.english == "Data withheld at the patient's request")
                    expectOneEntry(
                        logged, user: "laege-uden-relation", cpr: GW.bruno, source: "gp", outcome: "withheld",
                        purpose: "TREAT", reason: "blocked-by-patient")
                }
                // Emergency access passes the block, and says so in the log.
                let (emergency, logged) = try await h.logged {
                    try await h.emergency(brunosGPConditions, as: "laege-uden-relation")
                }
                #expect(emergency.status == 200, "\(emergency.text)")
                #expect(!emergency.resources("Condition").isEmpty)
                expectOneEntry(
                    logged, user: "laege-uden-relation", cpr: GW.bruno, source: "gp", outcome: "success",
                    purpose: "EMERGENCY", reason: GW.emergencyReason, emergency: true)

                // The block is against hospital clinicians only: his GP, his home nurse and he himself see the data.
                for user in ["egen-laege", "hjemmesygeplejerske", "borger-bruno"] {
                    let answer = try await h.get(brunosGPConditions, as: user)
                    #expect(answer.status == 200, "\(user): \(answer.text)")
                    #expect(!answer.resources("Condition").isEmpty, "\(user)")
                }
                // And on Bruno only: Nancy has no block, the doctor simply has no relationship with her.
                let nancy = try await h.get("/sources/gp/fhir/Patient/\(GW.nancyGP)", as: "laege-uden-relation")
                expectRefused(nancy, reason: "no-relationship", saying: "Ingen aktuel behandlingsrelation")
            }
        }

        @Test func aCitizenSeesTheirOwnDataOnly() async throws {
            try await GatewayHarness.with { h in
                let (own, logged) = try await h.logged { try await h.get(brunoAtHospital, as: "borger-bruno") }
                #expect(own.status == 200, "\(own.text)")
                #expect(own.json?["identifier"]?.listValue.first?["value"]?.stringValue == GW.bruno)
                expectOneEntry(
                    logged, user: "borger-bruno", cpr: GW.bruno, source: "hospital", outcome: "success", purpose: "PATRQT")

                let observations = try await h.get(
                    "/sources/hospital/fhir/Observation?patient=\(GW.brunoHospital)&_count=5", as: "borger-bruno")
                #expect(observations.resources("Observation").count == 5)
                let byCPR = try await h.get("/sources/gp/fhir/Patient?\(GW.byCPR(GW.bruno))", as: "borger-bruno")
                #expect(byCPR.resources("Patient").map { $0["id"]?.stringValue } == [GW.brunoGP])
                let plans = try await h.get(
                    "/sources/municipality/fhir/CarePlan?patient=\(GW.brunoMunicipality)", as: "borger-bruno")
                #expect(plans.resources("CarePlan").count == 3)

                for path in [
                    "/sources/hospital/fhir/Patient/\(GW.nancyHospital)",
                    "/sources/hospital/fhir/Patient?\(GW.byCPR(GW.nancy))",
                    "/sources/municipality/fhir/CarePlan?patient=\(GW.nancyMunicipality)",
                ] {
                    let (other, refused) = try await h.logged { try await h.get(path, as: "borger-bruno") }
                    expectRefused(other, reason: "not-own-data", saying: "Som borger kan du kun se dine egne data")
                    expectOneEntry(
                        refused, user: "borger-bruno", cpr: GW.nancy, source: refused.first?.sourceID ?? "-",
                        outcome: "denied", purpose: "PATRQT", reason: "not-own-data")
                }
                // A search across patients shows his own entry only.
                let (men, shown) = try await h.logged {
                    try await h.get("/sources/hospital/fhir/Patient?gender=male&_count=100", as: "borger-bruno")
                }
                #expect(men.status == 200)
                #expect(men.resources("Patient").map { $0["id"]?.stringValue } == [GW.brunoHospital])
                #expect(men.resources("OperationOutcome").count == 1)
                #expect(shown.map(\.patientCPR) == [GW.bruno])
            }
        }

        @Test func logFollowUpReadsTheLogButNoClinicalData() async throws {
            try await GatewayHarness.with { h in
                _ = try await h.get(brunoAtHospital, as: "borger-bruno")
                _ = try await h.emergency(brunoAtHospital, as: "laege-uden-relation")
                _ = try await h.get("/sources/hospital/fhir/Patient/\(GW.nancyHospital)", as: "borger-nancy")

                let (clinical, logged) = try await h.logged { try await h.get(brunoAtHospital, as: "logopfoelgning") }
                expectRefused(
                    clinical, reason: "role", saying: "Logopfølgning giver adgang til adgangsloggen, ikke til journaldata")
                expectOneEntry(
                    logged, user: "logopfoelgning", cpr: GW.bruno, source: "hospital", outcome: "denied",
                    purpose: "TREAT", reason: "role")
                for path in [
                    "/sources/hospital/fhir/Encounter?class=EMER&status=in-progress", "/sources/hospital/fhir/metadata",
                    "/sources/gp/fhir/Condition?patient=\(GW.brunoGP)",
                ] {
                    let answer = try await h.get(path, as: "logopfoelgning")
                    expectRefused(answer, reason: "role", saying: "ikke til journaldata")
                }

                let before = try await h.auditEntries().count
                let all = try await h.get("/AuditEvent", as: "logopfoelgning")
                #expect(all.status == 200, "\(all.text)")
                let events = all.resources("AuditEvent")
                #expect(events.count == before)
                let patients = Set(
                    events.compactMap { $0["entity"]?.listValue.first?["what"]?["identifier"]?["value"]?.stringValue })
                #expect(patients == [GW.bruno, GW.nancy])
                // Reading their log is itself an entry in each citizen's log: one for Bruno, one for Nancy.
                let reads = try await h.auditEntries(after: Int64(before))
                #expect(reads.compactMap(\.patientCPR).sorted() == [GW.bruno, GW.nancy].sorted())
                #expect(reads.allSatisfy { $0.userID == "logopfoelgning" && $0.resourceTypes == ["AuditEvent"] })
                let brunos = try await h.get("/AuditEvent?patient=\(GW.bruno)", as: "logopfoelgning")
                // All of Bruno's entries but Nancy's one, and the follow-up's read of his log just now.
                #expect(brunos.resources("AuditEvent").count == events.count - 1 + 1)
                #expect(!brunos.text.contains(GW.nancy))

                // Clinicians do not read the log.
                for user in ["akutlaege", "egen-laege", "laege-uden-relation"] {
                    let answer = try await h.get("/AuditEvent?patient=\(GW.bruno)", as: user)
                    expectRefused(answer, reason: "role", saying: "Adgangsloggen kan ses af borgeren selv og af logopfølgning")
                }
            }
        }

        @Test func aSearchAcrossPatientsLeavesOutThoseWithoutARelationship() async throws {
            try await GatewayHarness.with { h in
                let acute = "/sources/hospital/fhir/Encounter?class=EMER&status=in-progress"
                let (none, nothingLogged) = try await h.logged { try await h.get(acute, as: "laege-uden-relation") }
                #expect(none.status == 200, "\(none.text)")
                #expect(none.resourceType == "Bundle")
                #expect(none.resources("Encounter").isEmpty)
                #expect(none.json?["total"] == nil, "a total would tell how many were left out")
                #expect(none.header("ETag") == nil)
                let outcomes = (none.json?["entry"]?.listValue ?? []).filter {
                    $0["resource"]?["resourceType"]?.stringValue == "OperationOutcome"
                }
                #expect(outcomes.count == 1)
                #expect(outcomes.first?["search"]?["mode"]?.stringValue == "outcome")
                #expect(
                    outcomes.first?["resource"]?["issue"]?.listValue.first?["diagnostics"]?.stringValue
                        == "3 post(er) om patienter uden aktuel behandlingsrelation er udeladt")
                #expect(outcomes.first?["resource"]?["issue"]?.listValue.first?["code"]?.stringValue == "suppressed")
                #expect(nothingLogged.isEmpty, "nothing shown, nobody's data accessed")

                // The ED doctor's search of every in-progress encounter: her department's acute patients are shown,
                // the inpatients of other departments left out; one log entry per patient shown.
                let (mixed, logged) = try await h.logged {
                    try await h.get("/sources/hospital/fhir/Encounter?status=in-progress", as: "akutlaege")
                }
                #expect(mixed.status == 200)
                let shown = mixed.resources("Encounter")
                #expect(
                    Set(shown.compactMap { $0["subject"]?["reference"]?.stringValue }) == [
                        "Patient/1016", "Patient/1021", "Patient/1022",
                    ])
                #expect(shown.allSatisfy { $0["serviceProvider"]?["identifier"]?["value"]?.stringValue == GW.akutHerlev })
                #expect(
                    mixed.resources("OperationOutcome").first?["issue"]?.listValue.first?["diagnostics"]?.stringValue
                        == "3 post(er) om patienter uden aktuel behandlingsrelation er udeladt")
                #expect(logged.count == 3)
                #expect(Set(logged.compactMap(\.patientCPR)).count == 3)
                #expect(logged.allSatisfy { $0.userID == "akutlaege" && $0.outcome == "success" && $0.action == "search" })
                #expect(logged.allSatisfy { $0.resourceTypes == ["Encounter"] && $0.sourceID == "hospital" })
            }
        }
    }
}
