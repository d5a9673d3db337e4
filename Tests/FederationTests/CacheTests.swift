import Crypto
import DemoSources
import FHIR
import Federation
import Foundation
import Testing
import Words

@Suite(.serialized) struct CacheTests {
    @Test func aSecondOverviewComesFromTheCache() async throws {
        let cache = try FederationFixtures.makeCache()
        let sources = try await FederationFixtures.start()
        let client = FederatedClient(registry: sources.registry, client: FederationFixtures.http, cache: cache)
        let first = await client.overview(cpr: FederationFixtures.bruno)
        #expect(first.sources.map(\.state) == [.ok, .ok, .ok, .ok])
        // A new client (a new process) over the same cache file: nothing in memory.
        let again = FederatedClient(registry: sources.registry, client: FederationFixtures.http, cache: cache)
        let second = await again.overview(cpr: FederationFixtures.bruno)
        #expect(second.sources.map(\.state) == [.cached, .cached, .cached, .cached])
        #expect(second.timeline.count == first.timeline.count)
        #expect(second.sources.allSatisfy { $0.fetchedAt != nil })
        await sources.stop()
    }

    @Test func expiredCopiesAreRevalidatedAndInvalidationForcesIt() async throws {
        let cache = try FederationFixtures.makeCache()
        let sources = try await FederationFixtures.start()
        let client = FederatedClient(registry: sources.registry, client: FederationFixtures.http, cache: cache)
        _ = await client.overview(cpr: FederationFixtures.bruno)
        #expect(
            await client.overview(cpr: FederationFixtures.bruno).sources.map(\.state) == [.cached, .cached, .cached, .cached])
        client.invalidate(cpr: FederationFixtures.bruno, source: "gp")
        let after = await client.overview(cpr: FederationFixtures.bruno)
        #expect(
            after.sources.map(\.state) == [.cached, .ok, .cached, .cached],
            "only the invalidated source is asked (and answers 304)")
        await sources.stop()
    }

    @Test func staleIfErrorShowsTheAge() async throws {
        let cache = try FederationFixtures.makeCache(policy: CachePolicy(timeToLive: [:], defaultTimeToLive: 0))
        let sources = try await FederationFixtures.start()
        let client = FederatedClient(registry: sources.registry, client: FederationFixtures.http, cache: cache)
        let first = await client.overview(cpr: FederationFixtures.bruno)
        try await sources.server("hospital")?.setFaults(FaultSettings(down: true))
        let stale = await client.overview(cpr: FederationFixtures.bruno)
        let hospital = try #require(stale.sources.first { $0.sourceID == "hospital" })
        #expect(hospital.state == .stale)
        // Down: refused; under CI's load a pooled connection may be closed or reset first, or the refusal come late.
        let why = hospital.message?.danish ?? ""
        #expect(
            ["afviste forbindelsen", "lukkede forbindelsen uden svar", "svarede ikke i tide", "kunne ikke nås"].contains {
                why.contains($0)
            },
            "\(why)")
        #expect(hospital.fetchedAt != nil)
        #expect(stale.section(.encounters).count == first.section(.encounters).count, "the old data is still shown")
        await sources.stop()
    }

    @Test func theFileHoldsNoReadableCPRNorName() async throws {
        let cache = try FederationFixtures.makeCache()
        let sources = try await FederationFixtures.start()
        let client = FederatedClient(registry: sources.registry, client: FederationFixtures.http, cache: cache)
        _ = await client.overview(cpr: FederationFixtures.bruno)
        await sources.stop()
        let directory = (cache.path as NSString).deletingLastPathComponent
        var bytes = Data()
        for file in try FileManager.default.contentsOfDirectory(atPath: directory) {
            bytes += FileManager.default.contents(atPath: directory + "/" + file) ?? Data()
        }
        #expect(bytes.count > 100_000)
        for secret in ["2509479989", "250947-9989", "Bruno", "Elmer", "Tvedvangen", "Hjertesvigt", "Furosemid"] {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) is readable in the cache file")
        }
    }

    @Test func anotherKeyReadsNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("overblik-key-\(UUID().uuidString)")
        let path = directory.appendingPathComponent("cache.sqlite").path
        let cache = try ResourceCache(path: path, key: SymmetricKey(size: .bits256))
        try cache.store(
            source: "s", url: "/Patient?x", patient: "2509479989", type: "Patient", etag: nil, payload: Data("{}".utf8))
        #expect(try cache.lookup(source: "s", url: "/Patient?x") != nil)
        let other = try ResourceCache(path: path, key: SymmetricKey(size: .bits256))
        #expect(try other.lookup(source: "s", url: "/Patient?x") == nil)
    }

    @Test func purgeAndEviction() throws {
        let cache = try FederationFixtures.makeCache(policy: CachePolicy(maxBytes: 10_000))
        let payload = Data(repeating: 65, count: 3000)
        for n in 0..<10 {
            try cache.store(source: "s", url: "/x/\(n)", patient: nil, type: "Observation", etag: nil, payload: payload)
        }
        let stats = try cache.statistics()
        #expect(stats.bytes <= 10_000)
        #expect(stats.entries < 10)
        #expect(try cache.lookup(source: "s", url: "/x/9") != nil, "the newest stays")
        #expect(try cache.lookup(source: "s", url: "/x/0") == nil, "the least recently used goes first")
        let roomy = try FederationFixtures.makeCache()
        try roomy.store(source: "s", url: "/new", patient: nil, type: "Observation", etag: nil, payload: payload)
        try roomy.store(
            source: "s", url: "/old", patient: nil, type: "Observation", etag: nil, payload: payload,
            fetchedAt: Date().addingTimeInterval(-30 * 86_400))
        #expect(try roomy.purge(olderThan: Date().addingTimeInterval(-7 * 86_400)) == 1)
        #expect(try roomy.lookup(source: "s", url: "/new") != nil)
        try roomy.purgeAll()
        #expect(try roomy.statistics().entries == 0)
    }

    @Test func theKeyFileIsPrivateAndKeptApart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("overblik-keyfile-\(UUID().uuidString)")
        let path = directory.appendingPathComponent("overblik/cache.key").path
        let key = try CacheKeyStore.loadOrCreate(path: path, environment: [:])
        let mode = (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600)
        let again = try CacheKeyStore.loadOrCreate(path: path, environment: [:])
        #expect(key == again)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(throws: CacheKeyStore.KeyError.self) { try CacheKeyStore.loadOrCreate(path: path, environment: [:]) }
        let fromEnvironment = try CacheKeyStore.loadOrCreate(
            path: "/nonexistent",
            environment: [CacheKeyStore.environmentVariable: Data(repeating: 7, count: 32).base64EncodedString()])
        #expect(fromEnvironment == SymmetricKey(data: Data(repeating: 7, count: 32)))
        #expect(throws: CacheKeyStore.KeyError.self) {
            try CacheKeyStore.loadOrCreate(path: "/nonexistent", environment: [CacheKeyStore.environmentVariable: "kort"])
        }
        #expect(CacheKeyStore.defaultKeyPath(environment: ["XDG_CONFIG_HOME": "/c"]) == "/c/overblik/cache.key")
        #expect(ResourceCache.defaultPath(environment: ["XDG_CACHE_HOME": "/d"]) == "/d/overblik/cache.sqlite")
    }

    @Test func aBrokenCacheFileIsReplaced() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("overblik-broken-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("cache.sqlite").path
        try Data("this is not a database at all, just text".utf8).write(to: URL(fileURLWithPath: path))
        let cache = try ResourceCache(path: path, key: SymmetricKey(size: .bits256))
        #expect(try cache.statistics().entries == 0)
        #expect(FileManager.default.fileExists(atPath: path + ".broken"))
    }
}
