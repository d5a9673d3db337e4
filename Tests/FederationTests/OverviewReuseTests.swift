import DemoSources
import FHIR
import Federation
import Foundation
import Testing
import Words

/// A warm overview reuses the one built before from the same cached pages; what it shows must stay true: ages,
/// fetch times, new data after an invalidation, a refresh, and status words that depend on the clock.
@Suite(.serialized) struct OverviewReuseTests {
    /// One small source of our own (its data changes in these tests): Bruno, one diagnosis, and one booked
    /// appointment starting `appointmentIn` seconds from now.
    func start(appointmentIn: TimeInterval = 86_400) async throws -> (DemoSourceServer, SourceRegistry) {
        func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Data(text.utf8)) }
        let start = FHIRDateTime(date: Date().addingTimeInterval(appointmentIn)).text
        let store = try ResourceStore(
            resources: [
                try parse(
                    #"{"resourceType":"Patient","id":"p1","identifier":[{"system":"\#(DanishSystems.cpr)","value":"2509479989"}],"name":[{"family":"Elmer","given":["Bruno"]}]}"#
                ),
                try parse(
                    #"{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"\#(DanishSystems.sks)","code":"DI50","display":"Hjertesvigt"}]},"onsetDateTime":"2020-01-02"}"#
                ),
                try parse(
                    #"{"resourceType":"Appointment","id":"a1","status":"booked","description":"Kontrol","start":"\#(start)","participant":[{"actor":{"reference":"Patient/p1"}}]}"#
                ),
            ], supportedTypes: ["Patient", "Condition", "Appointment"])
        let server = DemoSourceServer(id: "small", name: "Lille kilde", sector: "hospital", store: store)
        try await server.start()
        let registry = SourceRegistry(sources: [
            SourceDefinition(
                id: "small", name: "Lille kilde", sector: .hospital, fhir: await server.baseURL ?? "", timeoutMs: 10_000)
        ])
        return (server, registry)
    }

    @Test func aReusedOverviewHasNewStatusesAndTheSameFetchTimes() async throws {
        let (server, registry) = try await start()
        let client = FederatedClient(
            registry: registry, client: FederationFixtures.http, cache: try FederationFixtures.makeCache())
        let first = await client.overview(cpr: FederationFixtures.bruno)
        #expect(first.sources.map(\.state) == [.ok])
        try await Task.sleep(for: .milliseconds(20))
        let second = await client.overview(cpr: FederationFixtures.bruno)
        #expect(second.sources.map(\.state) == [.cached], "said as it is: from the cache, not asked now")
        #expect(second.assembledAt > first.assembledAt)
        #expect(second.sources.first?.fetchedAt == first.sources.first?.fetchedAt, "the age shown is the copy's")
        let age = try #require(second.sources.first?.age(at: second.assembledAt))
        #expect(age >= 0.02)
        #expect(second.timeline.map(\.id) == first.timeline.map(\.id))
        #expect(second.timeline.flatMap(\.sources).map(\.fetchedAt) == first.timeline.flatMap(\.sources).map(\.fetchedAt))
        await server.stop()
    }

    @Test func aChangeIsShownAfterInvalidationAndRevalidationRenewsTheFetchTimes() async throws {
        let (server, registry) = try await start()
        let client = FederatedClient(
            registry: registry, client: FederationFixtures.http, cache: try FederationFixtures.makeCache())
        let first = await client.overview(cpr: FederationFixtures.bruno)
        #expect(first.section(.conditions).count == 1)

        // Invalidated without a change: every page is revalidated (304), the same items now carry the new fetch time.
        try await Task.sleep(for: .milliseconds(20))
        client.invalidate(cpr: FederationFixtures.bruno, source: "small")
        let revalidated = await client.overview(cpr: FederationFixtures.bruno)
        #expect(revalidated.sources.map(\.state) == [.ok])
        let firstFetched = try #require(first.section(.conditions).first?.sources.first?.fetchedAt)
        let renewed = try #require(revalidated.section(.conditions).first?.sources.first?.fetchedAt)
        #expect(renewed > firstFetched)
        #expect(try #require(revalidated.sources.first?.fetchedAt) > first.sources.first?.fetchedAt ?? .distantFuture)

        // A new diagnosis at the source: shown after the event's invalidation, not before.
        try server.change(
            try JSONValue.parse(
                Data(
                    #"{"resourceType":"Condition","id":"c2","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"\#(DanishSystems.sks)","code":"DJ44","display":"KOL"}]},"onsetDateTime":"2021-03-04"}"#
                        .utf8)))
        #expect(await client.overview(cpr: FederationFixtures.bruno).section(.conditions).count == 1, "fresh copy, not asked")
        client.invalidate(cpr: FederationFixtures.bruno)
        let changed = await client.overview(cpr: FederationFixtures.bruno)
        #expect(changed.section(.conditions).count == 2)
        #expect(changed.section(.conditions).contains { $0.title.danish.contains("KOL") })

        // A refresh asks again even though the copies are fresh.
        let refreshed = await client.overview(cpr: FederationFixtures.bruno, refresh: true)
        #expect(refreshed.sources.map(\.state) == [.ok])
        #expect(
            try #require(refreshed.section(.conditions).first?.sources.first?.fetchedAt)
                > changed.section(.conditions).first?.sources.first?.fetchedAt ?? .distantFuture)
        await server.stop()
    }

    @Test func anAppointmentStopsBeingUpcomingWhenItStartsEvenFromACachedOverview() async throws {
        // The appointment starts in an hour; the clock is given, so a busy machine cannot make it start early.
        let (server, registry) = try await start(appointmentIn: 3600)
        let client = FederatedClient(registry: registry, client: FederationFixtures.http, cache: nil)
        let before = await client.overview(cpr: FederationFixtures.bruno)
        #expect(before.section(.appointments).first?.status?.danish == "kommende")
        #expect(await client.overview(cpr: FederationFixtures.bruno).section(.appointments).first?.status?.danish == "kommende")
        let after = await client.overview(cpr: FederationFixtures.bruno, now: Date().addingTimeInterval(7200))
        #expect(after.sources.map(\.state) == [.cached], "the pages are still fresh")
        #expect(after.section(.appointments).first?.status?.danish == "booket")
        await server.stop()
    }

    @Test func aSourceGoingDownShowsTheReusedItemsAsStaleWithTheirOldAge() async throws {
        let cache = try FederationFixtures.makeCache(policy: CachePolicy(timeToLive: [:], defaultTimeToLive: 0))
        let (server, registry) = try await start()
        let client = FederatedClient(registry: registry, client: FederationFixtures.http, cache: cache)
        let first = await client.overview(cpr: FederationFixtures.bruno)
        try await server.setFaults(FaultSettings(down: true))
        let stale = await client.overview(cpr: FederationFixtures.bruno)
        #expect(stale.sources.map(\.state) == [.stale])
        #expect(stale.sources.first?.fetchedAt == first.sources.first?.fetchedAt)
        #expect(stale.section(.conditions).count == 1)
        await server.stop()
    }
}
