import AsyncHTTPClient
import DemoSources
import FHIR
import Federation
import Foundation
import Platform
import Research
import Testing

/// A citizen's opt-out of secondary use (EHDS art. 71) as the citizen and a data controller meet it: the citizen
/// says so through the gateway, the preferences source keeps it as a Consent and announces it, and the analysis
/// platform removes the citizen from every project's data within seconds (the engine tells it); the next load leaves
/// them out, and a withdrawn opt-out lets them back in. Only the citizen can make the choice, and it blocks nothing
/// a clinician reads.
extension GatewayTests {
    static let everyone = DataRequest(types: ["Condition", "Encounter"], codes: [:], dates: .month, ages: .fiveYears)

    /// Approves project `id` on the node's analysis store and loads it from the demo's clinical sources, reading the
    /// citizens' choices from the preferences source.
    static func load(_ h: GatewayHarness, _ id: String) async throws -> IngestReport {
        let store = try #require(h.server.services.compactMap { $0 as? ResearchService }.first).store
        if (try? store.project(id)) == nil {
            try store.apply(
                ResearchProject(
                    id: id, title: "Alle kontakter", purpose: "Kontakter og diagnoser i befolkningen",
                    legalBasis: "Sundhedsloven § 46", organization: "Region Hovedstaden", applicant: "Forsker Testesen",
                    data: everyone))
            try store.decide(id, approve: true, by: "Dataansvarlig Test", reason: nil)
        }
        let keys = ProjectKeys(path: store.path + ".keys.json")
        try keys.make(for: id)
        var sources: [BulkDataClient.Source] = []
        var preferences: [BulkDataClient.Source] = []
        for server in h.cluster.servers {
            let source = BulkDataClient.Source(
                id: server.id, base: try #require(await server.baseURL), token: server.exportSecret)
            if server.id == "preferences" { preferences.append(source) } else { sources.append(source) }
        }
        return try await Ingest(store: store, client: BulkDataClient(http: HTTP.client), scratch: h.directory).run(
            approved: try store.project(id), keys: keys, sources: sources, preferences: preferences)
    }

    func optOut(_ h: GatewayHarness, _ user: String, _ value: Bool) async throws -> GatewayAnswer {
        try await h.send(
            "/me/research-opt-out", method: .PUT, body: Array(#"{"optedOut": \#(value)}"#.utf8),
            headers: [("Authorization", "Bearer \(try await h.token(user))"), ("Content-Type", "application/json")])
    }

    @Test func aCitizenWhoOptsOutDisappearsFromEveryProjectWithinSeconds() async throws {
        try await GatewayHarness.with { h in
            let store = try #require(h.server.services.compactMap { $0 as? ResearchService }.first).store
            let first = try await Self.load(h, "alle-kontakter")
            let second = try await Self.load(h, "alle-to")
            #expect(first.optedOut == 0 && first.persons > 20, "\(first)")
            let before = try store.size(of: "alle-kontakter").persons
            let secondSize = try store.size(of: "alle-to").persons
            #expect(before == first.persons && secondSize == second.persons)

            // Nancy has no record at the preferences source yet: her choice makes one (her CPR number only).
            let answer = try await optOut(h, "borger-nancy", true)
            #expect(answer.status == 200, "\(answer.text)")
            let asked = try await h.send(
                "/me/research-opt-out", headers: [("Authorization", "Bearer \(try await h.token("borger-nancy"))")])
            #expect(asked.json?["optedOut"] == .bool(true), "\(asked.text)")
            let consent = try #require(h.cluster.server("preferences")?.store.all(type: "Consent").last?.json)
            #expect(consent["scope"]?["coding"]?.listValue.first?["code"]?.stringValue == "research")
            #expect(consent["provision"]?["type"]?.stringValue == "deny" && consent["status"]?.stringValue == "active")

            // Out of both projects within seconds, by the event alone: nobody loads anything again.
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(20)
            while clock.now < deadline, try store.size(of: "alle-to").persons != second.persons - 1 {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(try store.size(of: "alle-kontakter").persons == before - 1)
            #expect(try store.size(of: "alle-to").persons == second.persons - 1)

            // The next load leaves her out; withdrawn, she is loaded again.
            let again = try await Self.load(h, "alle-kontakter")
            #expect(again.optedOut == 1 && again.persons == before - 1, "\(again)")
            #expect(try await optOut(h, "borger-nancy", false).status == 200)
            let back = try await Self.load(h, "alle-kontakter")
            #expect(back.optedOut == 0 && back.persons == before, "\(back)")
        }
    }

    @Test func onlyTheCitizenMakesTheChoiceAndItBlocksNoClinician() async throws {
        try await GatewayHarness.with { h in
            for user in ["akutlaege", "egen-laege", "logopfoelgning"] {
                let answer = try await optOut(h, user, true)
                #expect(answer.status == 403, "\(user): \(answer.status) \(answer.text)")
                #expect(answer.text.contains("Kun borgeren selv"), "\(answer.text)")
            }
            #expect(try await h.send("/me/research-opt-out", method: .PUT, body: Array("{}".utf8)).status == 401)
            let bad = try await h.send(
                "/me/research-opt-out", method: .PUT, body: Array(#"{"optedOut": "ja"}"#.utf8),
                headers: [("Authorization", "Bearer \(try await h.token("borger-bruno"))")])
            #expect(bad.status == 400 && bad.text.contains("optedOut"), "\(bad.text)")

            // Bruno opts out of research; his GP reads his record as before (his own block stays his only one).
            #expect(try await optOut(h, "borger-bruno", true).status == 200)
            let read = try await h.send(
                "/sources/gp/fhir/Condition?patient=\(GW.brunoGP)",
                headers: [("Authorization", "Bearer \(try await h.token("egen-laege"))")])
            #expect(read.status == 200, "\(read.text)")
            #expect(ConsentBlock.from(h.cluster.server("preferences")?.store.all(type: "Consent").map(\.json) ?? []).count == 1)
        }
    }

    @Test func thePreferencesSourceTakesOnlyValidChoicesAboutItsOwnPatients() async throws {
        try await GatewayHarness.with { h in
            let base = try #require(h.sourceURLs["preferences"])
            func put(_ path: String, _ body: String) async throws -> GatewayAnswer {
                try await h.send(
                    "\(base)/\(path)", method: .PUT, body: Array(body.utf8), headers: [("Content-Type", "application/fhir+json")])
            }
            let good = ResearchOptOut.consent(id: "c1", patient: "nobody", active: true).serializedString()
            #expect(try await put("Consent/c1", good).status == 422, "a patient the source does not have")
            #expect(try await put("Consent/c2", good).status == 400, "the id in the body must be the URL's")
            #expect(try await put("Consent/c1", "{not json").status == 400)
            #expect(
                try await put("Consent/c1", #"{"resourceType":"Consent","id":"c1"}"#).status == 400, "status, scope, category")
            #expect(try await put("Patient/p1", #"{"resourceType":"Patient","id":"p1"}"#).status == 422, "no CPR number")
            let clinical = try #require(h.sourceURLs["hospital"])
            let refused = try await h.send("\(clinical)/Consent/c1", method: .PUT, body: Array(good.utf8))
            #expect(refused.status == 405, "a clinical source is read-only: \(refused.status)")
        }
    }
}

/// The terminal's side of the opt-out (`:fravalg`): the citizen's session at the gateway asks and sets the choice.
extension GatewayTests {
    @Test func theTerminalsLoginAsksAndSetsTheCitizensChoice() async throws {
        try await GatewayHarness.with { h in
            let login = GatewayLogin(gatewayURL: h.base, demoUser: "borger-bruno", http: HTTP.client)
            var choices: [Bool] = []
            choices.append(try await login.researchOptOut())
            choices.append(try await login.setResearchOptOut(true))
            choices.append(try await login.researchOptOut())
            choices.append(try await login.setResearchOptOut(false))
            choices.append(try await login.researchOptOut())
            #expect(choices == [false, true, true, false, false])
            let doctor = GatewayLogin(gatewayURL: h.base, demoUser: "akutlaege", http: HTTP.client)
            do {
                _ = try await doctor.setResearchOptOut(true, language: .en)
                Issue.record("a doctor set a citizen's choice")
            } catch let error as FetchFailure {
                #expect(error.httpStatus == 403 && "\(error)".contains("Only the citizen"), "\(error)")
            }
        }
    }
}
