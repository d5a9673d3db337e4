import DemoSources
import FHIR
import Federation
import Foundation
import Testing
import Words

/// A slow, dead or broken source: its status says so in words, the rest of the overview is intact, nothing is cached
/// from the bad answer, and nothing crashes.
@Suite(.serialized) struct SourceFailureTests {
    func overview(
        faults: [String: FaultSettings], timeoutMs: Int = 30_000, cache: ResourceCache? = nil
    ) async throws
        -> (PatientOverview, Duration)
    {
        let sources = try await FederationFixtures.start(faults: faults, timeoutMs: timeoutMs)
        let client = FederatedClient(registry: sources.registry, client: FederationFixtures.http, cache: cache)
        let clock = ContinuousClock()
        let start = clock.now
        let overview = await client.overview(cpr: FederationFixtures.bruno)
        let elapsed = clock.now - start
        await sources.stop()
        return (overview, elapsed)
    }

    func status(_ overview: PatientOverview, _ id: String) -> SourceStatus? {
        overview.sources.first { $0.sourceID == id }
    }

    func othersIntact(_ overview: PatientOverview) {
        #expect(status(overview, "gp")?.state == .ok)
        #expect(status(overview, "municipality")?.state == .ok)
        #expect(!overview.section(.appointments).isEmpty)
        #expect(!overview.section(.homeCare).isEmpty)
        #expect(overview.patient?.name == "Bruno Test Elmer")
    }

    @Test func aSlowSourceCostsNoMoreThanItsTimeout() async throws {
        // Generous limits: the machine running the tests may be busy; the point is that 60 s of latency costs ~5 s.
        let (overview, elapsed) = try await overview(faults: ["hospital": FaultSettings(latencyMs: 60_000)], timeoutMs: 5000)
        #expect(status(overview, "hospital")?.state == .timedOut)
        #expect(status(overview, "hospital")?.message?.danish.contains("5 s") == true)
        #expect(overview.section(.encounters).isEmpty)
        othersIntact(overview)
        #expect(elapsed < .seconds(20), "the slow source must not hold the others up (took \(elapsed))")
    }

    @Test func aDownSourceSaysSo() async throws {
        let (overview, _) = try await overview(faults: ["hospital": FaultSettings(down: true)])
        #expect(status(overview, "hospital")?.state == .error)
        #expect(status(overview, "hospital")?.message?.danish.contains("afviste forbindelsen") == true)
        othersIntact(overview)
    }

    @Test(arguments: [
        (FaultSettings.ErrorKind.http500, "HTTP 500"),
        (.html, "text/html"),
        (.truncated, "ugyldig JSON"),
        (.garbage, "kunne ikke læses"),
    ])
    func aBrokenAnswerIsNamedAndNotCached(kind: FaultSettings.ErrorKind, words: String) async throws {
        let cache = try FederationFixtures.makeCache()
        let (overview, _) = try await overview(faults: ["hospital": FaultSettings(errorRate: 1, errorKind: kind)], cache: cache)
        let hospital = try #require(status(overview, "hospital"))
        #expect(hospital.state == .error)
        #expect(hospital.message?.danish.contains(words) == true, "\(hospital.message?.danish ?? "")")
        othersIntact(overview)
        // Only the good sources' answers were stored.
        let client = FederatedClient(
            registry: SourceRegistry(sources: [
                SourceDefinition(id: "hospital", name: "H", sector: .hospital, fhir: "http://127.0.0.1:9/fhir", timeoutMs: 500)
            ]),
            client: FederationFixtures.http, cache: cache)
        let offline = await client.overview(cpr: FederationFixtures.bruno)
        #expect(offline.sources.first?.state == .error, "nothing of the hospital's bad answer may have been cached")
    }

    @Test func aHangingSourceTimesOut() async throws {
        let (overview, elapsed) = try await overview(
            faults: ["municipality": FaultSettings(errorRate: 1, errorKind: .hang)], timeoutMs: 5000)
        #expect(status(overview, "municipality")?.state == .timedOut)
        #expect(status(overview, "hospital")?.state == .ok)
        #expect(elapsed < .seconds(20))
    }
}
