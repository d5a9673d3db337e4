import DemoSources
import EventStream
import FHIR
import Foundation
import Platform
import Testing

/// The demo sources announce their changes to the engine over HTTP like real FHIR servers with backport
/// subscriptions; when the scenario plays, the acute-care doctor at Herlev and Bruno's GP both hear of his arrival.
@Suite(.timeLimit(.minutes(3))) struct DemoScenarioTests {
    @Test func brunosArrivalReachesTheEmergencyDepartmentAndHisGP() async throws {
        try await withDemoCluster { cluster, sources in
            try await EngineHarness.with(sources: sources, credentials: NotifyCredentials(secrets: cluster.notifySecrets)) {
                harness in
                await cluster.connect(engineURL: harness.base)
                let akut = try await harness.subscribe("akut-ankomst", filters: ["organization=\(PlatformFixtures.akutHerlev)"])
                let gp = try await harness.subscribe("hospitalsnotifikation", filters: ["patient=\(PlatformFixtures.bruno)"])
                let player = ScenarioPlayer(cluster: cluster, speed: 200)
                player.start()
                defer { player.stop() }

                func brunosArrival(_ id: String) async throws -> EventNotification? {
                    try await harness.events(id).first { $0.cpr?.value == PlatformFixtures.bruno && $0.code == "STAA" }
                }
                // Scenario second 15 is 75 ms at speed 200; allow a busy machine plenty more.
                let arrived = try await eventually(within: .seconds(10), every: .milliseconds(50)) {
                    let atAkut = try await brunosArrival(akut)
                    let atGP = try await brunosArrival(gp)
                    return atAkut != nil && atGP != nil
                }
                #expect(arrived, "Bruno's arrival (STAA) reached both subscriptions")
                let atAkut = try await brunosArrival(akut)
                #expect(atAkut?.organization == PlatformFixtures.akutHerlev)
                #expect(atAkut?.organizationName == "Akutmodtagelsen, Herlev")
                #expect(atAkut?.sourceID == "hospital")
                #expect(atAkut?.municipality == "0163")
                #expect(atAkut?.focus == "\(sources["hospital"] ?? "-")/Encounter/h-enc-scn-1")
                #expect(try await brunosArrival(gp)?.focus == atAkut?.focus)

                // The GP's subscription carries only Bruno; the emergency department's only arrivals at Herlev.
                _ = try await eventually(within: .seconds(5), every: .milliseconds(50)) {
                    try await harness.events(gp).map(\.code).contains("STIN")
                }
                let gpEvents = try await harness.events(gp)
                #expect(gpEvents.allSatisfy { $0.cpr?.value == PlatformFixtures.bruno })
                #expect(gpEvents.map(\.code).starts(with: ["STAA", "STIN"]), "\(gpEvents.map(\.code))")
                let akutEvents = try await harness.events(akut)
                #expect(akutEvents.allSatisfy { $0.organization == PlatformFixtures.akutHerlev && $0.code.hasSuffix("STAA") })
            }
        }
    }
}

/// A platform that keeps its storage sees the scenario again when the demo sources start again on the same ports:
/// each run of a source is a subscription of its own, so its events are not taken for repeats of the last run's.
@Suite(.timeLimit(.minutes(3))) struct DemoRestartTests {
    @Test func aSecondRunOfTheSourcesIsHeardToo() async throws {
        let data = try PlatformFixtures.demoData()
        let ports = try DemoSourceCluster.reservePorts(for: data.manifest)
        let sources = Dictionary(uniqueKeysWithValues: ports.map { ($0.key, "http://127.0.0.1:\($0.value)/fhir") })
        try await EngineHarness.with(sources: sources) { harness in
            let akut = try await harness.subscribe("akut-ankomst", filters: ["organization=\(PlatformFixtures.akutHerlev)"])
            for run in 1...2 {
                // The same source, started again, still holds its notification secret. The ports were this test's a
                // moment ago: a busy machine may not have let go of them yet, so a refused start is tried again.
                var started: DemoSourceCluster?
                for _ in 0..<40 where started == nil {
                    let attempt = try DemoSourceCluster(
                        data: data, ports: .fixed(ports),
                        notifySecrets: Dictionary(
                            uniqueKeysWithValues: sources.keys.map { ($0, PlatformFixtures.notifySecret($0)) }))
                    do {
                        try await attempt.start()
                        started = attempt
                    } catch {
                        await attempt.stop()
                        try await Task.sleep(for: .milliseconds(250))
                    }
                }
                let cluster = try #require(started, "run \(run): the sources could not listen on their ports again")
                await cluster.connect(engineURL: harness.base)
                let player = ScenarioPlayer(cluster: cluster, speed: 200)
                player.start()
                let arrived = try await eventually(within: .seconds(10), every: .milliseconds(50)) {
                    // The second announcement of the same encounter is a correction (RE_STAA), but it is heard.
                    try await harness.events(akut).filter {
                        $0.cpr?.value == PlatformFixtures.bruno && $0.code.hasSuffix("STAA")
                    }.count >= run
                }
                player.stop()
                await cluster.stop()
                let codes = try await harness.events(akut).map(\.code)
                #expect(arrived, "Bruno's arrival in run \(run) was stored: \(codes)")
            }
        }
    }
}
