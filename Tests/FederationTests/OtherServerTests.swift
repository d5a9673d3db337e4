import FHIR
import Federation
import Foundation
import Hummingbird
import Testing
import Words

/// The client against a FHIR server that does things differently from the demo sources, as real servers do:
/// relative `next` links, no `Bundle.total`, absolute references, no CapabilityStatement, an identifier search that
/// ignores the parameter and returns everyone.
@Suite struct OtherServerTests {
    struct OddServer: HTTPResponder {
        typealias Context = BasicRequestContext

        func respond(to request: Request, context: Context) async throws -> Response {
            let path = request.uri.path
            let query = request.uri.query ?? ""
            func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
                var headers = HTTPFields()
                headers[.contentType] = "application/json"
                return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
            }
            switch path {
            case "/r4/metadata":
                return json(
                    #"{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-supported"}]}"#,
                    status: .notFound)
            case "/r4/Patient":
                // Ignores the identifier: returns two people, only one with the CPR asked for.
                return json(
                    """
                    {"resourceType":"Bundle","type":"searchset","entry":[
                     {"fullUrl":"http://elsewhere/r4/Patient/a","resource":{"resourceType":"Patient","id":"a","identifier":[{"system":"urn:oid:1.2.208.176.1.2","value":"2509479989"}],"name":[{"family":"Elmer","given":["Bruno","Test"]}]}},
                     {"resource":{"resourceType":"Patient","id":"b","identifier":[{"system":"urn:oid:1.2.208.176.1.2","value":"0201609995"}],"name":[{"family":"Lauridsen","given":["Einer","Test"]}]}}]}
                    """)
            case "/r4/Observation":
                guard query.contains("patient=a") else { return json(#"{"resourceType":"Bundle","type":"searchset"}"#) }
                let page = query.contains("page=2") ? 2 : 1
                let next = page == 1 ? #","link":[{"relation":"next","url":"Observation?patient=a&page=2"}]"# : ""
                return json(
                    """
                    {"resourceType":"Bundle","type":"searchset"\(next),"entry":[
                     {"resource":{"resourceType":"Observation","id":"o\(page)","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
                      "code":{"coding":[{"system":"urn:oid:1.2.208.176.2.1","code":"NPU18016","display":"Kreatinin"}]},
                      "subject":{"reference":"http://odd.example/r4/Patient/a"},"effectiveDateTime":"2024-0\(page)-10T08:00:00+01:00",
                      "valueQuantity":{"value":\(100 + page),"unit":"umol/L"}}}]}
                    """)
            case "/r4/Condition":
                return json(
                    #"{"resourceType":"Bundle","type":"searchset","link":[{"relation":"next","url":"http://evil.example/r4/Condition?x"}],"entry":[]}"#
                )
            default:
                return json(
                    #"{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-supported"}]}"#,
                    status: .notFound)
            }
        }
    }

    @Test func readsAServerThatDoesThingsItsOwnWay() async throws {
        let port = try await withThrowingTaskGroup(of: Int.self) { group in
            let ports = AsyncStream<Int>.makeStream()
            let app = Application(
                responder: OddServer(), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in ports.continuation.yield(channel.localAddress?.port ?? 0) })
            group.addTask {
                try await app.run()
                return 0
            }
            var iterator = ports.stream.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            let registry = SourceRegistry(sources: [
                SourceDefinition(
                    id: "odd", name: "Anden server", sector: .other, fhir: "http://127.0.0.1:\(port)/r4", timeoutMs: 30_000)
            ])
            let client = FederatedClient(registry: registry, client: FederationFixtures.http, cache: nil)
            let overview = await client.overview(cpr: FederationFixtures.bruno)
            // Only the person with the CPR asked for; both pages of results; the off-server next link refused.
            #expect(overview.patient?.name == "Bruno Test Elmer")
            #expect(overview.section(.labs).count == 2)
            #expect(overview.trends.first?.points.map(\.value) == [101, 102])
            let status = try #require(overview.sources.first)
            #expect(status.state == .error)
            #expect(status.message?.danish.contains("Condition") == true)
            #expect(status.message?.danish.contains("uden for kilden") == true)
            group.cancelAll()
            return port
        }
        #expect(port > 0)
    }
}
