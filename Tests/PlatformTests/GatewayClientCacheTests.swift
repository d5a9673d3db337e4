import FHIR
import Federation
import Foundation
import Platform
import Testing
import Words

/// The terminal app's cache behind the gateway: a fresh copy does not spare asking, because the gateway decides and
/// logs every access; a clinician whose access has ended never sees the copy again.
@Suite(.timeLimit(.minutes(3))) struct GatewayClientCacheTests {
    @Test("Gennem gatewayen spørges der hver gang patienten åbnes, også med en frisk kopi i cachen; hver gang logges")
    func everyOpeningIsDecidedAndLogged() async throws {
        try await GatewayHarness.with { h in
            let http = FHIRHTTPClient.makeHTTPClient()
            let login = GatewayLogin(gatewayURL: h.base, demoUser: "egen-laege", http: http)
            let registry = GatewayHarness.generousLimits(try await login.sources())
            let directory = PlatformFixtures.temporaryDirectory()
            let key = try CacheKeyStore.loadOrCreate(path: directory.appendingPathComponent("cache.key").path, environment: [:])
            let cache = try ResourceCache(path: directory.appendingPathComponent("cache.sqlite").path, key: key)
            let client = FederatedClient(registry: registry, client: FHIRHTTPClient(http: http, login: login), cache: cache)
            let bruno = try CPRNumber(PlatformFixtures.bruno)

            let first = await client.overview(cpr: bruno)
            #expect(first.sources.first { $0.sourceID == "gp" }?.state == .ok, "\(first.sources)")
            let before = try await h.auditEntries().last?.sequence ?? 0
            let second = await client.overview(cpr: bruno)
            let entries = try await h.auditEntries(after: before)
            // Asked again (answered 304 from the copy), not served from the copy unasked.
            #expect(second.sources.first { $0.sourceID == "gp" }?.state == .ok, "\(second.sources)")
            #expect(
                second.sections.first { $0.kind == .medication }?.items.count
                    == first.sections.first { $0.kind == .medication }?.items.count)
            let gpEntries = entries.filter { $0.userID == "egen-laege" && $0.patientCPR == bruno.value && $0.sourceID == "gp" }
            #expect(!gpEntries.isEmpty && gpEntries.allSatisfy { $0.outcome == "success" }, "\(entries.map(\.outcome))")
            try await http.shutdown()
        }
    }
}

/// The ED doctor searching a name through the gateway is told when matches were left out for lack of access, in
/// the gateway's words, so that "no one found" never hides "no one you may see".
@Suite(.timeLimit(.minutes(3))) struct NameSearchThroughTheGatewayTests {
    @Test func matchesLeftOutForLackOfAccessAreSaidSo() async throws {
        try await GatewayHarness.with { h in
            let http = FHIRHTTPClient.makeHTTPClient()
            defer { Task { try? await http.shutdown() } }
            // A doctor with no care relationship to Bruno: the gateway leaves him out and says so.
            let stranger = GatewayLogin(gatewayURL: h.base, demoUser: "laege-uden-relation", http: http)
            let registry = GatewayHarness.generousLimits(try await stranger.sources())
            let client = FederatedClient(registry: registry, client: FHIRHTTPClient(http: http, login: stranger), cache: nil)
            let found = await client.searchPatients(name: "Bruno Elmer")
            #expect(found.matches.isEmpty, "\(found.matches.map(\.name))")
            let notes = found.notes.map(\.danish)
            #expect(notes.contains { $0.contains("udeladt") }, "\(notes)")
            #expect(
                found.notes.contains { Catalog.english.text($0).contains("left out") },
                "the English words come from the gateway too")
            // His GP finds him, with nothing left out at her own practice.
            let gp = GatewayLogin(gatewayURL: h.base, demoUser: "egen-laege", http: http)
            let own = FederatedClient(
                registry: GatewayHarness.generousLimits(try await gp.sources()), client: FHIRHTTPClient(http: http, login: gp),
                cache: nil)
            let hers = await own.searchPatients(name: "Bruno Elmer")
            #expect(hers.matches.map(\.cpr.value) == [PlatformFixtures.bruno])
        }
    }
}
