import DemoSources
import FHIR
import Foundation
import Testing

/// A FHIR `batch` of reads and searches to a demo source's base, over real HTTP.
@Suite struct DemoBatchTests {
    func post(_ body: String) async throws -> HTTPAnswer {
        let base = try await Fixtures.shared.baseURL("hospital")
        return try await HTTP.get(
            base, headers: [("Content-Type", "application/fhir+json")], method: .POST, body: body)
    }

    func batch(_ requests: [String]) -> String {
        let entries = requests.map { #"{"request":\#($0)}"# }.joined(separator: ",")
        return #"{"resourceType":"Bundle","type":"batch","entry":[\#(entries)]}"#
    }

    @Test func theCapabilityStatementOffersBatch() async throws {
        let base = try await Fixtures.shared.baseURL("gp")
        let statement = try FHIRJSON.decode(CapabilityStatement.self, from: try await HTTP.get("\(base)/metadata").body)
        #expect(statement.rest?.first?.interaction?.map(\.code) == ["batch"])
    }

    @Test func eachEntryIsAnsweredAsItsOwnGetWouldBe() async throws {
        let base = try await Fixtures.shared.baseURL("hospital")
        let search = "Condition?patient=1000&_count=500"
        let alone = try await HTTP.get("\(base)/\(search)")
        let answer = try await post(
            batch([
                #"{"method":"GET","url":"\#(search)"}"#,
                #"{"method":"GET","url":"\#(base)/Patient/1000"}"#,
                #"{"method":"GET","url":"Nonsense?x=1"}"#,
                #"{"method":"DELETE","url":"Patient/1000"}"#,
            ]))
        #expect(answer.status == 200)
        let json = try answer.json()
        #expect(json["type"]?.stringValue == "batch-response")
        let entries = try #require(json["entry"]?.arrayValue)
        try #require(entries.count == 4)
        // The search: the same Bundle and ETag as the GET.
        #expect(entries[0]["response"]?["status"]?.stringValue == "200 OK")
        #expect(entries[0]["response"]?["etag"]?.stringValue == alone.headers.first(name: "ETag"))
        #expect(entries[0]["resource"]?["total"] == (try alone.json())["total"])
        #expect(entries[0]["resource"]?["entry"]?.arrayValue?.count == (try alone.json())["entry"]?.arrayValue?.count)
        // An absolute URL on the base reads like a relative one.
        #expect(entries[1]["resource"]?["resourceType"]?.stringValue == "Patient", "\(entries[1]) \(base)")
        // Failures fail alone, with an OperationOutcome that says why.
        #expect(entries[2]["response"]?["status"]?.stringValue == "404 Not Found")
        #expect(entries[2]["response"]?["outcome"]?["resourceType"]?.stringValue == "OperationOutcome")
        #expect(entries[3]["response"]?["status"]?.stringValue == "405 Method Not Allowed")
        #expect(entries[3]["resource"] == nil)
    }

    @Test func anEntryWithACurrentETagIsNotModified() async throws {
        let base = try await Fixtures.shared.baseURL("hospital")
        let etag = try #require(try await HTTP.get("\(base)/AllergyIntolerance?patient=1000").headers.first(name: "ETag"))
        let escaped = etag.replacingOccurrences(of: "\"", with: "\\\"")
        let answer = try await post(
            batch([#"{"method":"GET","url":"AllergyIntolerance?patient=1000","ifNoneMatch":"\#(escaped)"}"#]))
        let entry = try #require(try answer.json()["entry"]?.arrayValue?.first)
        #expect(entry["response"]?["status"]?.stringValue == "304 Not Modified")
        #expect(entry["resource"] == nil)
    }

    @Test func whatIsNotABatchOfReadsIsRefused() async throws {
        let transaction = try await post(#"{"resourceType":"Bundle","type":"transaction","entry":[]}"#)
        #expect(transaction.status == 405)
        #expect(try transaction.outcome().message.contains("Kun batch") == true)
        let garbage = try await post("{ikke json")
        #expect(garbage.status == 400)
        #expect(try garbage.outcome().issue.isEmpty == false)
        let patient = try await post(#"{"resourceType":"Patient"}"#)
        #expect(patient.status == 400)
        let offSite = try await post(batch([#"{"method":"GET","url":"http://evil.example/fhir/Patient/1"}"#]))
        let entry = try #require(try offSite.json()["entry"]?.arrayValue?.first)
        #expect(entry["response"]?["status"]?.stringValue == "400 Bad Request")
    }
}
