import Foundation
import TestSupport
import Testing

/// `sundhedscloud serve --demo` as a user runs it: a real process, real ports, real signals.
@Suite(.serialized) struct ServeCommandTests {
    func launch(_ arguments: [String]) throws -> ProcessRun {
        try ProcessRun("sundhedscloud", arguments, directory: Fixtures.repositoryRoot)
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func servesTheThreeSourcesAndStopsCleanlyOnSignal(signal: Int32) async throws {
        // Below the range the OS hands out for ephemeral ports.
        let base = Int.random(in: 11_000...30_000)
        let storage = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString).sqlite")
        defer { try? FileManager.default.removeItem(at: storage) }
        let run = try launch([
            "serve", "--demo", "--port-base", String(base), "--no-date-shift", "--port", "0", "--storage",
            "sqlite:" + storage.path,
        ])
        let banner = await run.readUntil("Stop med Ctrl-C", timeout: .seconds(120))
        #expect(banner.contains("http://127.0.0.1:\(base + 1)/fhir"), "\(banner)")
        #expect(banner.contains("http://127.0.0.1:\(base + 2)/fhir"))
        #expect(banner.contains("http://127.0.0.1:\(base + 3)/fhir"))
        let answer = try await HTTP.get(
            "http://127.0.0.1:\(base + 1)/fhir/Patient?identifier=\(HTTP.q("urn:oid:1.2.208.176.1.2|2509479989"))")
        #expect(try answer.bundle().total == 1)
        // The event engine answers too, on the port it printed.
        let engine = banner.split(separator: "\n").first { $0.contains("hændelsesmotor") }?.split(separator: " ").first {
            $0.hasPrefix("http://")
        }
        let topics = try await HTTP.get("\(engine ?? "-")/SubscriptionTopic")
        #expect(topics.status == 200)
        kill(run.process.processIdentifier, signal)
        let stopped = await run.waitForExit(timeout: .seconds(20))
        if !stopped { run.process.terminate() }
        #expect(stopped)
        #expect(run.process.terminationStatus == 0)
        let rest = await run.readUntil("stoppet", timeout: .seconds(2))
        #expect(rest.contains("SundhedsCloud er stoppet"))
        #expect(!rest.contains("error"), "\(rest)")
        await #expect(throws: (any Error).self) { _ = try await HTTP.get("http://127.0.0.1:\(base + 1)/fhir/metadata") }
    }

    @Test func badOptionsGetAClearMessage() async throws {
        let run = try launch(["serve", "--demo", "--fault", "hospital:explode"])
        let text = await run.readUntil("\n", timeout: .seconds(30))
        _ = await run.waitForExit(timeout: .seconds(10))
        #expect(run.process.terminationStatus != 0)
        #expect(text.contains("ukendt fejlindstilling"), "\(text)")
    }

    @Test func aMissingDataDirectoryIsNamed() async throws {
        let run = try launch(["serve", "--demo", "--data", "/nonexistent/demo-data"])
        let text = await run.readUntil("\n", timeout: .seconds(30))
        _ = await run.waitForExit(timeout: .seconds(10))
        #expect(run.process.terminationStatus != 0)
        #expect(text.contains("/nonexistent/demo-data/manifest.json"), "\(text)")
    }
}
