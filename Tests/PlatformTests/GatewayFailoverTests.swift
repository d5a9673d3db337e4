import FHIR
import Federation
import Foundation
import Platform
import Testing
import Words

/// The client given several gateway nodes (`overblik --gateway URL,URL`): when the node in use does not answer, the
/// login, the source list and every FHIR request move to the next node; the user notices nothing but the answer.
@Suite(.timeLimit(.minutes(2))) struct GatewayFailoverTests {
    @Test("Den første gateway-node svarer ikke: login, kilder og oversigt går gennem den næste")
    func movesToTheNextNode() async throws {
        // Generous time limits, in the gateway (the harness's) and in the client: this test is about moving to the
        // next node, and CI runs two hundred tests at once on two cores (a 2 s limit once ran out there).
        try await GatewayHarness.with { h in
            let http = FHIRHTTPClient.makeHTTPClient()
            // Nothing listens on port 9: the first node is "down".
            let login = GatewayLogin(
                gatewayURL: "http://127.0.0.1:9", alternateURLs: [h.base], demoUser: "borger-bruno", http: http)
            _ = try await login.token()
            #expect(login.gatewayURL == h.base, "logged in at the node that answers")
            let registry = try await login.sources()
            #expect(registry.sources.map(\.id).sorted() == ["gp", "hospital", "municipality", "nsp"])
            // The registry's URLs name the working node; a request to the dead node's URL is moved as well.
            let moved = login.route("http://127.0.0.1:9/sources/hospital/fhir/Patient")
            #expect(moved == h.base + "/sources/hospital/fhir/Patient")
            let client = FederatedClient(
                registry: GatewayHarness.generousLimits(registry), client: FHIRHTTPClient(http: http, login: login), cache: nil)
            let overview = await client.overview(cpr: try CPRNumber(PlatformFixtures.bruno))
            #expect(overview.sources.allSatisfy { $0.state == .ok }, "\(overview.sources.map { "\($0.sourceID) \($0.state)" })")
            #expect(overview.patient?.name?.contains("Elmer") == true)
            try await http.shutdown()
        }
    }

    @Test("Med kun én node og den er nede: en klar fejl, ingen uendelig venten")
    func oneDeadNodeIsAClearError() async throws {
        let http = FHIRHTTPClient.makeHTTPClient()
        let login = GatewayLogin(gatewayURL: "http://127.0.0.1:9", demoUser: "akutlaege", http: http)
        await #expect(throws: FetchFailure.self) { _ = try await login.token() }
        try await http.shutdown()
    }
}
