import FHIR
import Federation
import Foundation
import Summary
import Testing
import Words

/// The international patient summary (IPS IG 2.0) built from the demo sources, held to the IG's rules as a
/// receiving system would check them.
@Suite(.timeLimit(.minutes(3))) struct SummaryTests {
    /// What each clinical source gives for one patient, as the summary service asks for it.
    func results(_ cpr: CPRNumber, states: [String: SourceStatus.State] = [:]) async throws -> [SourceResult] {
        let sources = try await FederationFixtures.start()
        let client = FederatedClient(registry: sources.registry, client: FederationFixtures.http, cache: nil)
        var results: [SourceResult] = []
        for source in sources.registry.clinical {
            if let state = states[source.id] {
                let status = SourceStatus(
                    sourceID: source.id, sourceName: source.name, sector: source.sector, state: state, fetchedAt: nil,
                    message: .translated(danish: "Data tilbageholdt efter patientens ønske", english: nil), resourceCount: 0,
                    elapsedMs: 0)
                results.append(SourceResult(source: source, status: status))
            } else {
                results.append(await client.fetch(source: source, cpr: cpr))
            }
        }
        await sources.stop()
        return results
    }

    func sections(_ document: JSONValue) -> [String: JSONValue] {
        let composition = document["entry"]?.listValue.first?["resource"]
        var byCode: [String: JSONValue] = [:]
        for section in composition?["section"]?.listValue ?? [] {
            if let code = section["code"]?["coding"]?.listValue.first?["code"]?.stringValue { byCode[code] = section }
        }
        return byCode
    }

    /// Every `reference` anywhere in the Bundle.
    func references(in value: JSONValue) -> [String] {
        switch value {
        case .object(let members):
            return (members["reference"]?.stringValue.map { [$0] } ?? [])
                + members.filter { $0.key != "reference" }.flatMap { references(in: $0.value) }
        case .array(let items): return items.flatMap { references(in: $0) }
        default: return []
        }
    }

    @Test func brunosSummaryKeepsTheIGsRules() async throws {
        let now = Date()
        let document = try #require(
            IPSBuilder(language: .da, now: now).document(cpr: "2509479989", results: try await results(FederationFixtures.bruno)))
        #expect(document["resourceType"]?.stringValue == "Bundle")
        #expect(document["type"]?.stringValue == "document")
        #expect(document["identifier"]?["value"]?.stringValue?.hasPrefix("urn:uuid:") == true)
        #expect(document["timestamp"]?.stringValue != nil)
        let entries = document["entry"]?.listValue ?? []
        // Every entry has a fullUrl, each one once; the Composition first; exactly one Patient.
        let urls = entries.compactMap { $0["fullUrl"]?.stringValue }
        #expect(urls.count == entries.count && Set(urls).count == urls.count)
        #expect(entries.first?["resource"]?["resourceType"]?.stringValue == "Composition")
        #expect(entries.filter { $0["resource"]?["resourceType"]?.stringValue == "Composition" }.count == 1)
        #expect(entries.filter { $0["resource"]?["resourceType"]?.stringValue == "Patient" }.count == 1)
        let composition = try #require(entries.first?["resource"])
        #expect(composition["type"]?["coding"]?.listValue.first?["code"]?.stringValue == "60591-5")
        #expect(composition["title"]?.stringValue == "Patientresumé")
        let patientURL = entries.first { $0["resource"]?["resourceType"]?.stringValue == "Patient" }?["fullUrl"]?.stringValue
        #expect(composition["subject"]?["reference"]?.stringValue == patientURL)
        // Every reference resolves inside the Bundle.
        let unresolved = references(in: document).filter { !urls.contains($0) }
        #expect(unresolved.isEmpty, "\(unresolved.prefix(5))")
        // The required sections, with entries here; his medication from the card, his vaccinations.
        let byCode = sections(document)
        for code in ["10160-0", "48765-2", "11450-4"] {
            let count = byCode[code]?["entry"]?.listValue.count ?? 0
            #expect(count > 0, "section \(code)")
        }
        let medication = byCode["10160-0"]?["text"]?["div"]?.stringValue ?? ""
        #expect(medication.hasPrefix("<div xmlns=\"http://www.w3.org/1999/xhtml\">"))
        #expect(medication.contains("Furosemid — 40 mg 1 gang dagligt"), "\(medication)")
        #expect(medication.components(separatedBy: "Furosemid").count == 2, "a drug on the card and the GP's list is listed once")
        #expect(byCode["11369-6"]?["text"]?["div"]?.stringValue?.contains("Influenzavaccine") == true)
        #expect(byCode["30954-2"] != nil, "his latest lab results")
        // Every section has its narrative; no section is empty without a reason.
        for (code, section) in byCode {
            #expect(section["text"]?["div"]?.stringValue?.isEmpty == false, "\(code)")
            #expect(section["entry"] != nil || section["emptyReason"] != nil, "\(code)")
        }
    }

    /// A block or a refusal hides data: the required section says `withheld` and which source, never an empty list
    /// that reads as "none". English when asked.
    @Test func aWithheldSourceIsSaidNotHiddenAndInEnglishWhenAsked() async throws {
        let results = try await results(FederationFixtures.bruno, states: ["gp": .withheld, "nsp": .withheld])
        let document = try #require(IPSBuilder(language: .en).document(cpr: "2509479989", results: results))
        let composition = document["entry"]?.listValue.first?["resource"]
        #expect(composition?["title"]?.stringValue == "Patient Summary")
        // His medication is on the GP's list and the card, both withheld here.
        for code in ["10160-0"] {
            let section = sections(document)[code]
            #expect(section?["entry"] == nil, "\(code)")
            #expect(section?["emptyReason"]?["coding"]?.listValue.first?["code"]?.stringValue == "withheld", "\(code)")
            let narrative = section?["text"]?["div"]?.stringValue ?? ""
            #expect(narrative.contains("the data is withheld"), "\(narrative)")
            #expect(narrative.contains("Lægehuset Herlev Bygade"), "\(narrative)")
        }
        #expect(sections(document)["11450-4"]?["entry"] != nil, "the hospital's diagnoses are still there")
    }

    /// Text from a source reaches the XHTML narrative only as escaped character data.
    @Test func hostileTextIsEscapedInTheNarrative() async throws {
        let hostile = try FederationFixtures.patient(tag: "hostile-text")
        let document = try #require(
            IPSBuilder(language: .da).document(cpr: hostile.cpr, results: try await results(try CPRNumber(hostile.cpr))))
        for (code, section) in sections(document) {
            let div = section["text"]?["div"]?.stringValue ?? ""
            // The only markup is the narrative's own.
            let markup = div.replacingOccurrences(of: "<div xmlns=\"http://www.w3.org/1999/xhtml\">", with: "")
                .replacingOccurrences(of: "</div>", with: "")
                .replacing(/<\/?(ul|li|p)>/, with: "")
            #expect(!markup.contains("<") && !markup.contains(">"), "\(code): \(div.prefix(300))")
        }
        #expect(IPSBuilder.escape("<script>&\"'") == "&lt;script&gt;&amp;&quot;&#39;")
    }

    /// Found by fuzzing: U+FFFE followed by a combining mark is one Character, and slipped past a check per Character
    /// into the narrative, where XML does not allow it.
    @Test func aNoncharacterIsDroppedEvenWithACombiningMarkOnIt() {
        #expect(IPSBuilder.escape("a\u{FFFE}\u{0743}b\u{FFFF}\u{0301}c\u{1}\u{0}") == "a\u{0743}b\u{0301}c")
        // The same for markup: `<` with a combining mark on it was passed through as a tag's start.
        #expect(IPSBuilder.escape("<\u{035C}script>\u{0301}\"\u{035C}") == "&lt;\u{035C}script&gt;\u{0301}&quot;\u{035C}")
    }

    @Test func noSourceKnowingThePatientIsNoDocument() async throws {
        #expect(
            IPSBuilder(language: .da).document(cpr: "0101019900", results: try await results(try CPRNumber("0101019900")))
                == nil)
    }
}

/// What a `$summary` request asks for, read as the IPS OperationDefinition says (and as clients send it).
@Suite struct SummaryRequestTests {
    func problem(id: String? = nil, query: String? = nil, body: String? = nil) -> SummaryRequest.Problem? {
        do {
            _ = try SummaryRequest(id: id, query: query, body: body.map { Data($0.utf8) })
            return nil
        } catch {
            return error
        }
    }

    @Test func thePatientByIdentifierByIdOrInParameters() throws {
        let cpr = "2509479989"
        for query in [
            "identifier=urn:oid:1.2.208.176.1.2|\(cpr)", "identifier=urn%3Aoid%3A1.2.208.176.1.2%7C250947-9989",
            "identifier=%7C\(cpr)", "identifier=\(cpr)&_format=json",
            "identifier=\(cpr)&profile=http://hl7.org/fhir/uv/ips/StructureDefinition/Bundle-uv-ips",
        ] {
            #expect(try SummaryRequest(id: nil, query: query, body: nil).cpr.value == cpr, "\(query)")
        }
        #expect(try SummaryRequest(id: cpr, query: nil, body: nil).cpr.value == cpr)
        let parameters = #"{"resourceType":"Parameters","parameter":[{"name":"identifier","valueString":"|2509479989"}]}"#
        #expect(try SummaryRequest(id: nil, query: nil, body: Data(parameters.utf8)).cpr.value == cpr)
        // An empty POST body: the query says it.
        #expect(try SummaryRequest(id: nil, query: "identifier=\(cpr)", body: Data(" \n".utf8)).cpr.value == cpr)
    }

    @Test func whatIsWrongIsNamedWithTheParameter() {
        #expect(problem(query: nil)?.phrase.id == "outcome.summary-identifier-missing")
        #expect(problem(query: "identifier=http://x|2509479989")?.phrase.id == "outcome.summary-identifier-system")
        #expect(problem(query: "identifier=3201479989")?.phrase.id == "cpr.no-such-date")
        #expect(problem(query: "identifier=2509479989&identifier=2509479989")?.phrase.id == "outcome.summary-repeated")
        #expect(problem(query: "identifier=2509479989&subject=x")?.expression == "subject")
        #expect(problem(query: "identifier=2509479989&profile=x")?.phrase.id == "outcome.summary-profile")
        #expect(problem(id: "2509479989", query: "identifier=2509479989")?.status == 400)
        // A logical id that is no CPR number is an unknown patient, not a bad request.
        for id in ["abc", "25094799890", "3201479989", ""] { #expect(problem(id: id)?.status == 404, "\(id)") }
        for body in [
            "{", "[]", #"{"resourceType":"Patient"}"#, #"{"resourceType":"Parameters","parameter":{}}"#,
            #"{"resourceType":"Parameters","parameter":[{"valueString":"x"}]}"#,
            #"{"resourceType":"Parameters","parameter":[{"name":"identifier","valueInteger":1}]}"#,
        ] {
            #expect(problem(body: body)?.status == 400, "\(body)")
        }
        // Every refusal has words in both languages.
        let refusal = problem(query: "identifier=http://x|1")
        #expect(Catalog.english.text(refusal!.phrase).contains("'http://x' is not known here"))
    }

    @Test func theLanguageOfAcceptLanguage() {
        let cases: [(String?, Language)] = [
            (nil, .da), ("", .da), ("en", .en), ("en-GB,en;q=0.9", .en), ("da, en;q=0.8", .da), ("de, en;q=0.5", .en),
            ("fr", .da), ("en;q=0, da;q=0.1", .da), ("da;q=0.5, en;q=0.6", .en), ("*", .da), ("EN-us", .en),
            ("en;q=abc", .da), (",,,;;;", .da),
        ]
        for (header, language) in cases {
            #expect(SummaryRequest.language(acceptLanguage: header) == language, "\(header ?? "nil")")
        }
    }
}
