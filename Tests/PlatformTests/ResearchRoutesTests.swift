import FHIR
import Foundation
import Platform
import Research
import Testing

/// The analysis platform as its users meet it at a node: a researcher applies, the data controller (dataansvarlig)
/// decides, the researcher asks; each signed in, each only their own part; every decision and every query, answered
/// or refused, in the access log; and neither of them ever reads a patient's data through the gateway.
extension GatewayTests {
    func research(
        _ h: GatewayHarness, _ user: String?, _ path: String, _ body: JSONValue
    ) async throws -> GatewayAnswer {
        var headers = [("Content-Type", "application/json")]
        if let user { headers.append(("Authorization", "Bearer \(try await h.token(user))")) }
        return try await h.send("/research/projects\(path)", method: .POST, body: body.serialized(), headers: headers)
    }

    static let application: JSONValue = .object([
        "id": .string("kontakter"), "title": .string("Kontakter i befolkningen"), "purpose": .string("Udviklingen i kontakter"),
        "legalBasis": .string("Sundhedsloven § 46"),
        "data": .object(["types": .array([.string("Condition"), .string("Encounter")]), "codes": .object([:])]),
    ])

    @Test func aResearcherAppliesTheControllerDecidesAndEveryQueryIsLogged() async throws {
        try await GatewayHarness.with { h in
            // Only a researcher applies.
            for user in ["akutlaege", "dataansvarlig", "borger-bruno"] {
                let answer = try await research(h, user, "", Self.application)
                #expect(answer.status == 403 && answer.text.contains("Kun en forsker"), "\(user): \(answer.text)")
            }
            #expect(try await research(h, nil, "", Self.application).status == 401)
            let applied = try await research(h, "forsker", "", Self.application)
            #expect(applied.status == 201, "\(applied.text)")
            #expect(applied.json?["organization"]?.stringValue?.contains("Københavns Universitet") == true)
            #expect(try await research(h, "forsker", "", Self.application).status == 409, "the id is taken")
            let broken = try await research(h, "forsker", "", .object(["id": .string("x")]))
            #expect(broken.status == 400 && broken.text.contains("kan ikke læses"), "\(broken.text)")

            // Not approved yet: no query. Only the data controller decides, and a refusal needs its reason.
            let count: JSONValue = .object(["measure": .string("count"), "by": .array([.string("sex")])])
            #expect(try await research(h, "forsker", "/kontakter/$query", count).status == 403)
            #expect(try await research(h, "forsker", "/kontakter/$approve", .object([:])).status == 403)
            #expect(try await research(h, "dataansvarlig", "/kontakter/$refuse", .object([:])).status == 400)
            let approved = try await research(h, "dataansvarlig", "/kontakter/$approve", .object([:]))
            #expect(approved.status == 200 && approved.json?["status"]?.stringValue == "approved", "\(approved.text)")
            #expect(try await research(h, "dataansvarlig", "/kontakter/$approve", .object([:])).status == 409)
            #expect(try await research(h, "dataansvarlig", "/ingen/$approve", .object([:])).status == 404)

            // Loaded, the researcher asks: an answer after disclosure control; the controller may not ask.
            _ = try await Self.load(h, "kontakter")
            let answer = try await research(h, "forsker", "/kontakter/$query", count)
            #expect(answer.status == 200, "\(answer.text)")
            let cells = answer.json?["cells"]?.listValue ?? []
            #expect(cells.count == 2 && cells.allSatisfy { $0["count"]?.numberValue.map { Int($0) % 5 == 0 } ?? true })
            #expect(try await research(h, "dataansvarlig", "/kontakter/$query", count).status == 403)
            // Saved as a data package, asked again by name: the same answer (the same population is no attack).
            let package: JSONValue = .object(["name": .string("kontakter-koen"), "query": count])
            let saved = try await research(h, "forsker", "/kontakter/packages", package)
            #expect(saved.status == 200 && saved.json?["cells"] == answer.json?["cells"], "\(saved.text)")
            let rerun = try await research(h, "forsker", "/kontakter/packages/kontakter-koen/$run", .object([:]))
            #expect(rerun.status == 200 && rerun.json?["cells"] == answer.json?["cells"], "\(rerun.text)")
            #expect(try await research(h, "forsker", "/kontakter/packages/ingen/$run", .object([:])).status == 404)
            let badName: JSONValue = .object(["name": .string("Ø"), "query": count])
            #expect(try await research(h, "forsker", "/kontakter/packages", badName).status == 400)
            let outside: JSONValue = .object([
                "measure": .string("count"),
                "population": .array([.object(["kind": .string("medication"), "code": .string("R03")])]),
            ])
            let refused = try await research(h, "forsker", "/kontakter/$query", outside)
            #expect(refused.status == 403, "medication was not approved: \(refused.text)")

            // The log follow-up sees every decision and query, answered or refused: who, which project, why (HRESCH).
            let log = try await h.send(
                "/AuditEvent", headers: [("Authorization", "Bearer \(try await h.token("logopfoelgning"))")])
            let research = (log.json?["entry"]?.listValue ?? []).compactMap { $0["resource"] }.filter {
                $0["source"]?["site"]?.stringValue == Gateway.analysisPlatform
            }
            let described = research.map { ($0["outcomeDesc"]?.stringValue ?? "", $0["outcome"]?.stringValue ?? "") }
            #expect(research.count == 8, "\(described)")
            #expect(
                described.filter { $0.0 == "project kontakter" && $0.1 == "0" }.count == 4,
                "the approval, the query, its saving and its rerun")
            for refusal in ["not-approved", "reason-missing", "already-decided", "query-outside-approval"] {
                #expect(described.contains { $0.0.hasSuffix("project kontakter: \(refusal)") && $0.1 == "4" }, "\(described)")
            }
            #expect(
                research.allSatisfy {
                    $0["purposeOfEvent"]?.listValue.first?["coding"]?.listValue.first?["code"] == .string("HRESCH")
                })

            // The public list says how many queries the project has run, and its data packages.
            let listing = try await h.send("/research/projects")
            let listed = listing.json?["projects"]?.listValue.first
            #expect(listed?["queries"] == .number(3), "\(listing.text)")
            #expect(listed?["packages"]?.listValue.first?["name"] == .string("kontakter-koen"), "\(listing.text)")
        }
    }

    @Test func researchersAndDataControllersReadNoPatientData() async throws {
        try await GatewayHarness.with { h in
            for user in ["forsker", "dataansvarlig"] {
                let auth = [("Authorization", "Bearer \(try await h.token(user))")]
                for path in [
                    "/sources/hospital/fhir/Patient/\(GW.brunoHospital)",
                    "/sources/hospital/fhir/Condition?patient=\(GW.brunoHospital)",
                    "/sources/hospital/fhir/metadata",
                ] {
                    let answer = try await h.send(path, headers: auth)
                    #expect(
                        answer.status == 403 && answer.text.contains("ikke til journaldata"), "\(user) \(path): \(answer.text)")
                }
                #expect(try await h.send("/AuditEvent", headers: auth).status == 403)
            }
        }
    }
}
