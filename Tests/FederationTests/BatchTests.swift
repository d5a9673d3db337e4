import FHIR
import Federation
import Foundation
import Hummingbird
import Synchronization
import Testing
import Words

/// A source that offers `batch` in its CapabilityStatement is asked for all its searches in one request; each search
/// still stands alone (its own failure, its own next pages), and a source that refuses the batch is asked search by
/// search instead.
@Suite struct BatchTests {
    final class RequestLog: Sendable {
        let lines = Mutex<[String]>([])
    }

    /// A FHIR server that records what it is asked. `acceptsBatch: false` offers batch but refuses it (405).
    struct BatchServer: HTTPResponder {
        typealias Context = BasicRequestContext
        let acceptsBatch: Bool
        let log = RequestLog()

        static let patient =
            #"{"resourceType":"Patient","id":"a","identifier":[{"system":"urn:oid:1.2.208.176.1.2","value":"2509479989"}],"name":[{"family":"Elmer","given":["Bruno","Test"]}]}"#

        static func observations(page: Int) -> String {
            let next = page == 1 ? #","link":[{"relation":"next","url":"Observation?patient=a&page=2"}]"# : ""
            return """
                {"resourceType":"Bundle","type":"searchset"\(next),"entry":[
                 {"resource":{"resourceType":"Observation","id":"o\(page)","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
                  "code":{"coding":[{"system":"urn:oid:1.2.208.176.2.1","code":"NPU18016","display":"Kreatinin"}]},
                  "subject":{"reference":"Patient/a"},"effectiveDateTime":"2024-0\(page)-10T08:00:00+01:00",
                  "valueQuantity":{"value":\(100 + page),"unit":"umol/L"}}}]}
                """
        }

        static let conditions =
            #"{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Condition","id":"c1","code":{"text":"Hypertension"},"subject":{"reference":"Patient/a"}}}]}"#

        func respond(to request: Request, context: Context) async throws -> Response {
            let path = request.uri.path
            let query = request.uri.query ?? ""
            log.lines.withLock { $0.append("\(request.method.rawValue) \(path)\(query.isEmpty ? "" : "?" + query)") }
            func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
                var headers = HTTPFields()
                headers[.contentType] = "application/fhir+json"
                return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
            }
            switch (request.method, path) {
            case (.get, "/b/metadata"):
                return json(
                    #"{"resourceType":"CapabilityStatement","status":"active","kind":"instance","fhirVersion":"4.0.1","format":["json"],"rest":[{"mode":"server","interaction":[{"code":"batch"}],"resource":[{"type":"Patient"},{"type":"Observation"},{"type":"Condition"}]}]}"#
                )
            case (.get, "/b/Patient"):
                return json(#"{"resourceType":"Bundle","type":"searchset","entry":[{"resource":\#(Self.patient)}]}"#)
            case (.get, "/b/Observation"):
                return json(Self.observations(page: query.contains("page=2") ? 2 : 1))
            case (.get, "/b/Condition"):
                return json(Self.conditions)
            case (.post, "/b"):
                guard acceptsBatch else {
                    return json(
                        #"{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-supported","diagnostics":"batch er slået fra"}]}"#,
                        status: .methodNotAllowed)
                }
                var request = request
                let body = try await request.collectBody(upTo: 1 << 20)
                let bundle = try JSONValue.parse(Data(buffer: body))
                let entries = (bundle["entry"]?.arrayValue ?? []).map { entry -> String in
                    let url = entry["request"]?["url"]?.stringValue ?? ""
                    if url.hasPrefix("Observation?patient=a") {
                        return #"{"resource":\#(Self.observations(page: 1)),"response":{"status":"200 OK","etag":"W/\"1\""}}"#
                    }
                    // Conditions fail inside the batch, on their own.
                    return
                        #"{"response":{"status":"500 Internal Server Error","outcome":{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception","diagnostics":"diagnosedatabasen er nede"}]}}}"#
                }
                return json(#"{"resourceType":"Bundle","type":"batch-response","entry":[\#(entries.joined(separator: ","))]}"#)
            default:
                return json(
                    #"{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found"}]}"#, status: .notFound)
            }
        }
    }

    /// Runs `body` against a BatchServer on a free loopback port.
    func withServer(
        acceptsBatch: Bool, _ body: @Sendable (FederatedClient, @Sendable () -> [String]) async throws -> Void
    ) async throws {
        let server = BatchServer(acceptsBatch: acceptsBatch)
        try await withThrowingTaskGroup(of: Void.self) { group in
            let ports = AsyncStream<Int>.makeStream()
            let app = Application(
                responder: server, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in ports.continuation.yield(channel.localAddress?.port ?? 0) })
            group.addTask { try await app.run() }
            var iterator = ports.stream.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let registry = SourceRegistry(sources: [
                SourceDefinition(
                    id: "b", name: "Batchkilde", sector: .hospital, fhir: "http://127.0.0.1:\(port)/b", timeoutMs: 30_000)
            ])
            let client = FederatedClient(registry: registry, client: FederationFixtures.http, cache: nil)
            try await body(client, { server.log.lines.withLock { $0 } })
            group.cancelAll()
        }
    }

    @Test func aSourceThatOffersBatchIsAskedOnceAndEachSearchStandsAlone() async throws {
        try await withServer(acceptsBatch: true) { client, log in
            let overview = await client.overview(cpr: FederationFixtures.bruno)
            // Observations: the first page from the batch, the second followed with a GET.
            #expect(overview.section(.labs).count == 2)
            #expect(overview.trends.first?.points.map(\.value) == [101, 102])
            // Conditions failed inside the batch: the source says so, naming the type and the source's reason.
            let status = try #require(overview.sources.first)
            #expect(status.state == .error)
            #expect(status.message?.danish.contains("Condition") == true)
            #expect(status.message?.danish.contains("diagnosedatabasen er nede") == true)
            let requests = log()
            #expect(requests.filter { $0.hasPrefix("POST /b") }.count == 1)
            #expect(!requests.contains { $0.hasPrefix("GET /b/Condition") }, "nothing asked twice")
            #expect(requests.contains { $0.hasPrefix("GET /b/Observation") && $0.contains("page=2") })
            #expect(!requests.contains { $0.hasPrefix("GET /b/Observation") && !$0.contains("page=2") })
        }
    }

    @Test func aSourceThatRefusesTheBatchIsAskedSearchBySearch() async throws {
        try await withServer(acceptsBatch: false) { client, log in
            let overview = await client.overview(cpr: FederationFixtures.bruno)
            #expect(overview.sources.first?.state == .ok)
            #expect(overview.section(.labs).count == 2)
            #expect(overview.section(.conditions).count == 1)
            #expect(log().filter { $0.hasPrefix("POST") }.count == 1)
            // Once refused, not offered again by this client.
            let again = await client.overview(cpr: FederationFixtures.bruno, refresh: true)
            #expect(again.sources.first?.state == .ok)
            #expect(again.section(.conditions).count == 1)
            #expect(log().filter { $0.hasPrefix("POST") }.count == 1)
        }
    }
}
