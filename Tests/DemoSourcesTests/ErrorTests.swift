import DemoSources
import FHIR
import Foundation
import NIOHTTP1
import Testing

/// Bad requests get an OperationOutcome with a clear (Danish) message and the right status, never a crash.
@Suite struct ErrorTests {
    func expectOutcome(
        _ path: String, status: Int, containing text: String, source: String = "hospital",
        headers: [(String, String)] = [], method: HTTPMethod = .GET
    ) async throws {
        let base = try await Fixtures.shared.baseURL(source)
        let answer = try await HTTP.get("\(base)\(path)", headers: headers, method: method)
        #expect(answer.status == status, "\(path)")
        let outcome = try answer.outcome()
        #expect(outcome.issue.first?.severity == "error")
        #expect(outcome.message.contains(text), "\(path): \(outcome.message)")
    }

    @Test func unknownResourceType() async throws {
        try await expectOutcome("/Spaceship?x=1", status: 404, containing: "Spaceship")
        try await expectOutcome("/Encounter", status: 404, containing: "Encounter findes ikke", source: "gp")
        try await expectOutcome("/lowercase", status: 404, containing: "Ukendt ressourcetype")
    }

    @Test func missingResource() async throws {
        try await expectOutcome("/Patient/findes-ikke", status: 404, containing: "Patient/findes-ikke findes ikke")
        try await expectOutcome("/Patient/bad$id", status: 400, containing: "gyldigt id")
    }

    @Test func badParameters() async throws {
        try await expectOutcome("/Patient?shoeSize=42", status: 400, containing: "Ukendt søgeparameter 'shoeSize'")
        try await expectOutcome("/Observation?date=ge2024-13-01", status: 400, containing: "Ugyldig dato")
        try await expectOutcome("/Observation?_count=mange", status: 400, containing: "_count")
        try await expectOutcome("/Observation?_sort=shoeSize", status: 400, containing: "sortere")
        try await expectOutcome("/Observation?code:fuzzy=x", status: 400, containing: ":fuzzy")
        try await expectOutcome("/Observation?_include=Observation:subject", status: 400, containing: "_include")
        try await expectOutcome("/Observation?patient=", status: 400, containing: "mangler en værdi")
    }

    @Test func cprThatIsNotTenDigits() async throws {
        try await expectOutcome(
            "/Patient?identifier=\(HTTP.q("urn:oid:1.2.208.176.1.2|12345"))", status: 400, containing: "10 cifre")
        try await expectOutcome(
            "/Patient?identifier=\(HTTP.q("urn:oid:1.2.208.176.1.2|3213479989"))", status: 400, containing: "gyldig dato")
    }

    @Test func writesAreRefused() async throws {
        try await expectOutcome("/Patient", status: 405, containing: "kun læses", method: .POST)
        try await expectOutcome("/Patient/1000", status: 405, containing: "kun læses", method: .DELETE)
    }

    @Test func outsideTheFHIRBase() async throws {
        let base = try await Fixtures.shared.baseURL("hospital")
        let root = base.replacingOccurrences(of: "/fhir", with: "")
        let answer = try await HTTP.get("\(root)/index.html")
        #expect(answer.status == 404)
        #expect(try answer.outcome().message.contains("/fhir"))
    }

    @Test func lenientHandlingIgnoresUnknownParametersWithAWarning() async throws {
        let base = try await Fixtures.shared.baseURL("hospital")
        let answer = try await HTTP.get("\(base)/Patient?shoeSize=42&_count=1", headers: [("Prefer", "handling=lenient")])
        #expect(answer.status == 200)
        let bundle = try answer.bundle()
        let outcome = bundle.entry?.first { $0.search?.mode == "outcome" }?.resource
        guard case .operationOutcome(let warning)? = outcome else {
            Issue.record("no warning entry")
            return
        }
        #expect(warning.issue.first?.severity == "warning")
        #expect(warning.message.contains("shoeSize"))
    }
}
