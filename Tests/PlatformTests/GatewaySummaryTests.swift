import DemoSources
import FHIR
import Foundation
import Platform
import TestSupport
import Testing

extension GatewayTests {
    /// `$summary` (the IPS operation) as its users meet it over HTTP: the citizen's own summary at once, the ED
    /// doctor's under the same rules as the overview, every source read logged under the caller, and every bad
    /// request answered with an OperationOutcome that tells "unknown" and "refused" apart for nobody.
    @Suite(.timeLimit(.minutes(3))) struct PatientSummary {
        static let cprSystem = "urn:oid:1.2.208.176.1.2"

        func summary(
            _ h: GatewayHarness, _ cpr: String, as user: String, headers: [(String, String)] = []
        ) async throws -> GatewayAnswer {
            try await h.get("/Patient/$summary?identifier=urn:oid:1.2.208.176.1.2%7C\(cpr)", as: user, headers: headers)
        }

        @Test func aCitizenGetsTheirOwnSummaryAtOnceWithTheMedicationCardAndVaccinations() async throws {
            try await GatewayHarness.with { h in
                let (answer, logged) = try await h.logged { try await summary(h, GW.bruno, as: "borger-bruno") }
                #expect(answer.status == 200, "\(answer.text.prefix(500))")
                #expect(answer.header("Content-Type")?.hasPrefix("application/fhir+json") == true)
                #expect(answer.header("Content-Language") == "da")
                #expect(answer.header("Cache-Control") == "no-store")
                let document = try #require(answer.json)
                let composition = try IPSRules.check(document)
                #expect(composition["title"]?.stringValue == "Patientresumé")
                let patient = try #require(IPSRules.resource(document, composition["subject"]?["reference"]?.stringValue))
                #expect(patient["name"]?.listValue.first?["family"]?.stringValue == "Elmer")

                // The medication is the card's (the national services): furosemide, with its Danish dosage.
                let medication = try #require(IPSRules.section(composition, "10160-0"))
                let drugs = IPSRules.entries(document, medication)
                #expect(drugs.contains { $0["resourceType"]?.stringValue == "MedicationRequest" })
                #expect(IPSRules.div(medication).contains("Furosemid"), "\(IPSRules.div(medication))")
                let vaccinations = try #require(IPSRules.section(composition, "11369-6"), "his vaccinations")
                #expect(IPSRules.entries(document, vaccinations).allSatisfy { $0["resourceType"]?.stringValue == "Immunization" })
                #expect(IPSRules.div(vaccinations).lowercased().contains("influenza"), "\(IPSRules.div(vaccinations))")

                // Every source was read as Bruno, and only as Bruno; nothing was refused.
                #expect(!logged.isEmpty)
                #expect(logged.allSatisfy { $0.userID == "borger-bruno" && $0.patientCPR == GW.bruno }, "\(logged)")
                #expect(logged.allSatisfy { $0.outcome == "success" }, "\(logged.map(\.outcome))")
                #expect(Set(logged.compactMap(\.sourceID)) == ["hospital", "gp", "municipality", "nsp"])
                // The rate limits count the caller's address the service forwards with the node's key, and only then.
                let gateway = h.gateway
                #expect(
                    gateway.clientAddress(
                        connection: "10.0.0.1", serviceKey: gateway.serviceKey, forwardedFor: "192.0.2.7, 10.0.0.2")
                        == "192.0.2.7")
                #expect(
                    gateway.clientAddress(connection: "10.0.0.1", serviceKey: "guess", forwardedFor: "192.0.2.7") == "10.0.0.1")
                #expect(gateway.clientAddress(connection: "10.0.0.1", serviceKey: nil, forwardedFor: "192.0.2.7") == "10.0.0.1")
            }
        }

        @Test func inEnglishWhenAskedAndByPOSTWithParameters() async throws {
            try await GatewayHarness.with { h in
                let english = try await summary(
                    h, GW.bruno, as: "borger-bruno", headers: [("Accept-Language", "en-GB,en;q=0.9,da;q=0.5")])
                #expect(english.status == 200)
                #expect(english.header("Content-Language") == "en")
                let composition = try IPSRules.check(try #require(english.json))
                #expect(composition["title"]?.stringValue == "Patient Summary")
                #expect(IPSRules.section(composition, "10160-0")?["title"]?.stringValue == "Medication")

                let token = try await h.token("borger-bruno")
                for value in [
                    #"{"name": "identifier", "valueString": "urn:oid:1.2.208.176.1.2|2509479989"}"#,
                    #"{"name": "identifier", "valueIdentifier": {"system": "urn:oid:1.2.208.176.1.2", "value": "250947-9989"}}"#,
                ] {
                    let body = #"{"resourceType": "Parameters", "parameter": [\#(value)]}"#
                    let posted = try await h.send(
                        "/Patient/$summary", method: .POST, body: Array(body.utf8),
                        headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/fhir+json")])
                    #expect(posted.status == 200, "\(posted.text.prefix(300))")
                    let sections = try IPSRules.check(try #require(posted.json))["section"]?.listValue ?? []
                    #expect(sections.count >= 3)
                }
                // The patient's id on the platform is the CPR number.
                let byID = try await h.get("/Patient/\(GW.bruno)/$summary", as: "borger-bruno")
                #expect(byID.status == 200)
                _ = try IPSRules.check(try #require(byID.json))
            }
        }

        @Test func unknownAndRefusedAreOneAnswerAndBadRequestsAreNamed() async throws {
            try await GatewayHarness.with { h in
                // Someone else's summary, and nobody's: the same 404, word for word.
                let (other, refusals) = try await h.logged { try await summary(h, GW.nancy, as: "borger-bruno") }
                let nobody = try await summary(h, "0101301234", as: "borger-bruno")
                #expect(other.status == 404)
                #expect(other.code == "not-found")
                #expect(other.text == nobody.text, "\(other.text)\n\(nobody.text)")
                expectNoPatientData(other)
                #expect(!other.text.contains("Nancy"))
                #expect(!refusals.isEmpty && refusals.allSatisfy { $0.outcome == "denied" }, "the attempt is in Nancy's log")
                // The ED doctor before Bruno arrives: the same answer, and the refusal is in his log.
                let (early, logged) = try await h.logged { try await summary(h, GW.bruno, as: "akutlaege") }
                #expect(early.text == nobody.text)
                #expect(logged.contains { $0.userID == "akutlaege" && $0.outcome == "denied" && $0.patientCPR == GW.bruno })

                // No token, a forged one: 401 before any source is asked.
                let (anonymous, none) = try await h.logged {
                    try await h.send("/Patient/$summary?identifier=\(GW.bruno)")
                }
                #expect(anonymous.status == 401)
                #expect(none.isEmpty)
                let forged = try await h.send(
                    "/Patient/$summary?identifier=\(GW.bruno)", headers: [("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x")])
                #expect(forged.status == 401)

                for (query, status, expression) in [
                    ("", 400, "identifier"),
                    ("identifier=", 400, "identifier"),
                    ("identifier=http://example.org/mrn%7C2509479989", 400, "identifier"),
                    ("identifier=123", 400, "identifier"),
                    ("identifier=\(GW.bruno)&identifier=\(GW.nancy)", 400, "identifier"),
                    ("identifier=\(GW.bruno)&profile=http://example.org/other", 400, "profile"),
                    ("identifier=\(GW.bruno)&patient=1000", 400, "patient"),
                ] {
                    let answer = try await h.get("/Patient/$summary?\(query)", as: "borger-bruno")
                    #expect(answer.status == status, "\(query): \(answer.text)")
                    #expect(answer.resourceType == "OperationOutcome")
                    #expect(answer.issue?["expression"]?.listValue.first?.stringValue == expression, "\(query)")
                    #expect(!answer.diagnostics.isEmpty && !answer.english.isEmpty)
                }
                let wrongCPR = try await h.get("/Patient/$summary?identifier=123", as: "borger-bruno")
                #expect(wrongCPR.english == "The CPR number '123' must have 10 digits (DDMMYY-SSSS)")
                // A logical id that is no patient: 404 as for an unknown one.
                let unknownID = try await h.get("/Patient/abc/$summary", as: "borger-bruno")
                #expect(unknownID.status == 404)
                #expect(unknownID.text == nobody.text)
                let both = try await h.get("/Patient/\(GW.bruno)/$summary?identifier=\(GW.bruno)", as: "borger-bruno")
                #expect(both.status == 400)
                let garbage = try await h.send(
                    "/Patient/$summary", method: .POST, body: Array("{not json".utf8),
                    headers: [("Authorization", "Bearer \(try await h.token("borger-bruno"))")])
                #expect(garbage.status == 400)
                #expect(garbage.resourceType == "OperationOutcome")
            }
        }

        @Test func theEDDoctorAfterArrivalGetsTheCardAndIsToldTheGPDataIsWithheld() async throws {
            try await GatewayHarness.with { h in
                let heard = Flag()
                h.engine.onStored { event in
                    if event.patientCPR == GW.bruno { heard.set() }
                }
                let arrival = Notifications.encounter(id: "h-enc-ips-arrival", patientID: GW.brunoHospital, sor: GW.akutHerlev)
                try h.source("hospital").change(arrival, topic: "akut-ankomst")
                #expect(await eventually(within: .seconds(10)) { heard.isSet }, "the arrival reached the engine")

                let (answer, logged) = try await h.logged { try await summary(h, GW.bruno, as: "akutlaege") }
                #expect(answer.status == 200, "\(answer.text.prefix(400))")
                let document = try #require(answer.json)
                let composition = try IPSRules.check(document)
                let medication = try #require(IPSRules.section(composition, "10160-0"))
                #expect(IPSRules.div(medication).contains("Furosemid"), "the card is not the GP's data")
                #expect(
                    IPSRules.div(medication).contains("Lægehuset Herlev Bygade"),
                    "the GP's own data is said to be left out: \(IPSRules.div(medication))")
                // Nothing of the GP's is in the document, and the withholding is in the log under the doctor.
                #expect(!answer.text.contains(GW.brunoGP))
                #expect(logged.contains { $0.sourceID == "gp" && $0.reason == "blocked-by-patient" && $0.userID == "akutlaege" })
                #expect(logged.contains { $0.sourceID == "nsp" && $0.outcome == "success" })
            }
        }

        @Test func emergencyAccessOpensItAndIsLoggedAsSuch() async throws {
            try await GatewayHarness.with { h in
                let (answer, logged) = try await h.logged {
                    try await h.emergency("/Patient/\(GW.nancy)/$summary", as: "akutlaege")
                }
                #expect(answer.status == 200, "\(answer.text.prefix(400))")
                _ = try IPSRules.check(try #require(answer.json))
                #expect(!logged.isEmpty)
                #expect(
                    logged.allSatisfy { $0.emergency && $0.reason == GW.emergencyReason && $0.userID == "akutlaege" },
                    "\(logged.map { ($0.emergency, $0.reason) })")
            }
        }

        @Test func aSourceDownStillGivesTheSummaryWithTheReason() async throws {
            try await GatewayHarness.with { h in
                try await h.source("nsp").setFaults(FaultSettings(down: true))
                try await h.source("gp").setFaults(FaultSettings(down: true))
                let answer = try await summary(h, GW.bruno, as: "borger-bruno")
                #expect(answer.status == 200, "\(answer.text.prefix(400))")
                let composition = try IPSRules.check(try #require(answer.json))
                let medication = try #require(IPSRules.section(composition, "10160-0"))
                #expect(medication["entry"] == nil)
                #expect(IPSRules.emptyReason(medication) == "unavailable")
                #expect(IPSRules.div(medication).contains("Den Nationale Serviceplatform"), "\(IPSRules.div(medication))")

                // Every source down: try again, not "no such patient".
                for id in ["hospital", "municipality"] { try await h.source(id).setFaults(FaultSettings(down: true)) }
                let none = try await summary(h, GW.bruno, as: "borger-bruno")
                #expect(none.status == 503, "\(none.text)")
                #expect(none.code == "transient")
            }
        }

        @Test func hostileTextFromASourceIsEscapedInTheNarrative() async throws {
            try await GatewayHarness.with { h in
                let onCard = try #require(
                    try DemoFixtures.data().manifest.patients.first { $0.cpr == GW.bruno }?.sources["nsp"])
                let hostile = #"<script>alert("x")</script>&<img src=x onerror=alert(1)>"#
                try h.source("nsp").change(
                    J([
                        "resourceType": "MedicationRequest", "id": "mr-hostile", "status": "active", "intent": "order",
                        "subject": ["reference": "Patient/\(onCard)"],
                        "medicationCodeableConcept": [
                            "text": hostile + "\u{1B}[31m\u{202E}",
                            "coding": [["system": "http://www.whocc.no/atc", "code": "X99XX99"]],
                        ],
                        "dosageInstruction": [["text": "1 <b>tablet</b>"]],
                        "authoredOn": "2026-11-01",
                    ]))
                let answer = try await summary(h, GW.bruno, as: "borger-bruno")
                #expect(answer.status == 200)
                let composition = try IPSRules.check(try #require(answer.json))
                let div = IPSRules.div(try #require(IPSRules.section(composition, "10160-0")))
                #expect(div.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&lt;img"), "\(div)")
                #expect(div.contains("1 &lt;b&gt;tablet&lt;/b&gt;"))
                for markup in ["<script", "<img", "<b>", "\u{1B}", "\u{202E}"] {
                    #expect(!div.contains(markup), "'\(markup)' reached the narrative")
                }
            }
        }
    }
}

/// IPS's rules for a document, as a validator holds them (HL7 IPS IG 2.0: Bundle-uv-ips, Composition-uv-ips).
enum IPSRules {
    static let required = ["10160-0", "48765-2", "11450-4"]

    /// Checks the document and returns its Composition: a `document` Bundle with identifier and timestamp, every
    /// entry a unique `urn:uuid` fullUrl, the Composition first (LOINC 60591-5, subject the one Patient, author an
    /// Organization in the Bundle), the required sections, every section with entries or an emptyReason and an XHTML
    /// narrative, and every reference resolving inside the Bundle.
    static func check(_ document: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        #expect(document["resourceType"]?.stringValue == "Bundle", sourceLocation: sourceLocation)
        #expect(document["type"]?.stringValue == "document", sourceLocation: sourceLocation)
        #expect(document["identifier"]?["value"]?.stringValue?.isEmpty == false, sourceLocation: sourceLocation)
        #expect(document["timestamp"]?.stringValue != nil, sourceLocation: sourceLocation)
        let entries = document["entry"]?.listValue ?? []
        let urls = entries.compactMap { $0["fullUrl"]?.stringValue }
        #expect(urls.count == entries.count, "every entry has a fullUrl", sourceLocation: sourceLocation)
        #expect(Set(urls).count == urls.count, "fullUrls are unique", sourceLocation: sourceLocation)
        #expect(urls.allSatisfy { $0.hasPrefix("urn:uuid:") }, sourceLocation: sourceLocation)
        let types = entries.compactMap { $0["resource"]?["resourceType"]?.stringValue }
        #expect(types.first == "Composition", sourceLocation: sourceLocation)
        #expect(types.filter { $0 == "Composition" }.count == 1, sourceLocation: sourceLocation)
        #expect(types.filter { $0 == "Patient" }.count == 1, "exactly one Patient", sourceLocation: sourceLocation)
        let composition = try #require(entries.first?["resource"], sourceLocation: sourceLocation)
        #expect(
            composition["type"]?["coding"]?.listValue.first?["code"]?.stringValue == "60591-5",
            sourceLocation: sourceLocation)
        #expect(
            resource(document, composition["subject"]?["reference"]?.stringValue)?["resourceType"]?.stringValue == "Patient",
            sourceLocation: sourceLocation)
        let author = composition["author"]?.listValue.first?["reference"]?.stringValue
        #expect(resource(document, author)?["resourceType"]?.stringValue == "Organization", sourceLocation: sourceLocation)
        #expect(composition["date"]?.stringValue != nil, sourceLocation: sourceLocation)
        #expect(composition["confidentiality"]?.stringValue != nil, sourceLocation: sourceLocation)
        let sections = composition["section"]?.listValue ?? []
        for code in required {
            #expect(section(composition, code) != nil, "required section \(code)", sourceLocation: sourceLocation)
        }
        for section in sections {
            let hasEntries = !(section["entry"]?.listValue ?? []).isEmpty
            #expect(
                hasEntries != (section["emptyReason"] != nil), "ips-comp-1: entries or emptyReason",
                sourceLocation: sourceLocation)
            #expect(div(section).hasPrefix(#"<div xmlns="http://www.w3.org/1999/xhtml">"#), sourceLocation: sourceLocation)
        }
        var references: [String] = []
        collect(document, into: &references)
        let known = Set(urls)
        for reference in references {
            #expect(known.contains(reference), "\(reference) resolves inside the Bundle", sourceLocation: sourceLocation)
        }
        return composition
    }

    static func collect(_ value: JSONValue, into references: inout [String]) {
        switch value {
        case .object(let members):
            for (key, member) in members {
                if key == "reference", let text = member.stringValue {
                    references.append(text)
                } else {
                    collect(member, into: &references)
                }
            }
        case .array(let items):
            for item in items { collect(item, into: &references) }
        default:
            break
        }
    }

    static func resource(_ document: JSONValue, _ url: String?) -> JSONValue? {
        guard let url else { return nil }
        return document["entry"]?.listValue.first { $0["fullUrl"]?.stringValue == url }?["resource"]
    }

    static func section(_ composition: JSONValue, _ code: String) -> JSONValue? {
        composition["section"]?.listValue.first { $0["code"]?["coding"]?.listValue.first?["code"]?.stringValue == code }
    }

    static func entries(_ document: JSONValue, _ section: JSONValue) -> [JSONValue] {
        (section["entry"]?.listValue ?? []).compactMap { resource(document, $0["reference"]?.stringValue) }
    }

    static func div(_ section: JSONValue) -> String { section["text"]?["div"]?.stringValue ?? "" }

    static func emptyReason(_ section: JSONValue) -> String? {
        section["emptyReason"]?["coding"]?.listValue.first?["code"]?.stringValue
    }
}
