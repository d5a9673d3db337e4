import FHIR
import Federation
import Foundation
import Platform
import Testing

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
