import AsyncHTTPClient
import FHIR
import Foundation
import NIOCore
import TestSupport
import Testing
import Transport

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
        let tlsDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tlsDirectory) }
        let run = try launch([
            "serve", "--demo", "--port-base", String(base), "--no-date-shift", "--port", "0", "--storage",
            "sqlite:" + storage.path, "--demo-tls-dir", tlsDirectory.path,
        ])
        let banner = await run.readUntil("Stop med Ctrl-C", timeout: .seconds(120))
        #expect(banner.contains("med TLS"), "\(banner)")
        #expect(banner.contains("https://127.0.0.1:\(base + 1)/fhir"), "\(banner)")
        #expect(banner.contains("https://127.0.0.1:\(base + 2)/fhir"))
        #expect(banner.contains("https://127.0.0.1:\(base + 3)/fhir"))
        #expect(banner.contains("--cacert \(tlsDirectory.path)/ca.pem"))
        // The sources ask for the gateway's client certificate (mutual TLS): with it they answer.
        let ca = tlsDirectory.appendingPathComponent("ca.pem").path
        let gateway = try ClientTLS.load(
            ca: ca, certificate: tlsDirectory.appendingPathComponent("gateway.pem").path,
            key: tlsDirectory.appendingPathComponent("gateway-key.pem").path)
        let search = "https://127.0.0.1:\(base + 1)/fhir/Patient?identifier=\(HTTP.q("urn:oid:1.2.208.176.1.2|2509479989"))"
        try await HTTP.with(gateway) { client in
            let answer = try await HTTP.get(search, client: client)
            #expect(try answer.bundle().total == 1)
            // The source's links are its https address.
            #expect(answer.text.contains("https://127.0.0.1:\(base + 1)/fhir/Patient"), "\(answer.text.prefix(300))")
        }
        // Without the client certificate, or over plain HTTP, nothing.
        try await HTTP.with(try ClientTLS.load(ca: ca)) { client in
            await #expect(throws: (any Error).self) { _ = try await HTTP.get(search, client: client) }
        }
        await #expect(throws: (any Error).self) {
            _ = try await HTTP.get(search.replacingOccurrences(of: "https:", with: "http:"))
        }
        // The event engine answers too, on the port it printed, and says it is on TLS.
        let engine = banner.split(separator: "\n").first { $0.contains("hændelsesmotor") }?.split(separator: " ").first {
            $0.hasPrefix("https://")
        }
        try await HTTP.with(try ClientTLS.load(ca: ca)) { client in
            let topics = try await HTTP.get("\(engine ?? "-")/SubscriptionTopic", client: client)
            #expect(topics.status == 200)
            let health = try await HTTP.get("\(engine ?? "-")/health", client: client)
            #expect(health.text.contains("\"transport\":\"tls\""), "\(health.text)")
        }
        kill(run.process.processIdentifier, signal)
        let stopped = await run.waitForExit(timeout: .seconds(20))
        if !stopped { run.process.terminate() }
        #expect(stopped)
        #expect(run.process.terminationStatus == 0)
        let rest = await run.readUntil("stoppet", timeout: .seconds(2))
        #expect(rest.contains("SundhedsCloud er stoppet"))
        #expect(!rest.contains("error"), "\(rest)")
        await #expect(throws: (any Error).self) { _ = try await HTTP.get("https://127.0.0.1:\(base + 1)/fhir/metadata") }
    }

    /// `--lang en` speaks English from the first line to the last, and a storage other than the default one gets a
    /// checkpoint file of its own (the default file is the default storage's: another chain's checkpoints in it
    /// would make `audit verify` report a cut).
    @Test func englishWhenAskedAndACheckpointFilePerStorage() async throws {
        let base = Int.random(in: 11_000...30_000)
        let name = "serve-\(UUID().uuidString)"
        let storage = FileManager.default.temporaryDirectory.appendingPathComponent(name + ".sqlite")
        defer { try? FileManager.default.removeItem(at: storage) }
        let tlsDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: tlsDirectory) }
        let run = try launch([
            "serve", "--demo", "--lang", "en", "--port-base", String(base), "--port", "0", "--storage",
            "sqlite:" + storage.path, "--demo-tls-dir", tlsDirectory.path,
        ])
        let banner = await run.readUntil("Stop with Ctrl-C", timeout: .seconds(120))
        #expect(banner.contains("SundhedsCloud is running with TLS."), "\(banner)")
        #expect(banner.contains("Demo sources (synthetic data,"), "\(banner)")
        #expect(!banner.contains("kører") && !banner.contains("patienter"), "\(banner)")
        let checkpoints = banner.split(separator: "\n").first { $0.hasPrefix("  checkpoints") } ?? ""
        #expect(checkpoints.contains("audit-checkpoints-sqlite-"), "\(checkpoints)")
        #expect(checkpoints.contains(name), "\(checkpoints)")
        // Through the gateway (which keeps its connections to the sources), and with this client's connection to the
        // node still open, Ctrl-C stops the node at once: no TLS connection holds the stop (it took 10 s).
        let node =
            banner.split(separator: "\n").first { $0.hasPrefix("  gateway") }?.split(separator: " ").first {
                $0.hasPrefix("https://")
            }.map(String.init) ?? "-"
        let ca = tlsDirectory.appendingPathComponent("ca.pem").path
        try await HTTP.with(try ClientTLS.load(ca: ca)) { client in
            let login = try await HTTP.get("\(node)/auth/token", method: .POST, body: #"{"user":"akutlaege"}"#, client: client)
            let token = try login.json()["access_token"]?.stringValue ?? "-"
            let search = "\(node)/sources/hospital/fhir/Patient?identifier=\(HTTP.q("urn:oid:1.2.208.176.1.2|2509479989"))"
            let answer = try await HTTP.get(search, headers: [("Authorization", "Bearer \(token)")], client: client)
            #expect([200, 403].contains(answer.status), "\(answer.text.prefix(300))")
            let asked = ContinuousClock.now
            kill(run.process.processIdentifier, SIGINT)
            let stopped = await run.waitForExit(timeout: .seconds(30))
            if !stopped { run.process.terminate() }
            #expect(stopped && ContinuousClock.now - asked < .seconds(8), "\(ContinuousClock.now - asked)")
        }
        let rest = await run.readUntil("stopped", timeout: .seconds(2))
        #expect(rest.contains("SundhedsCloud has stopped."), "\(rest)")
    }

    /// A wrong option is said in the language asked for, and says what it wants: `--speed 0` is no speed.
    @Test func aWrongSpeedIsSaidInEitherLanguage() async throws {
        for (arguments, expected) in [
            (["--lang", "en"], "--speed must be above 0 and at most 10000"), ([], "--speed skal være over 0 og højst 10000"),
        ] {
            let run = try launch(["serve", "--demo", "--speed", "0"] + arguments)
            let text = await run.readUntil("\n", timeout: .seconds(30))
            _ = await run.waitForExit(timeout: .seconds(10))
            #expect(run.process.terminationStatus != 0)
            #expect(text.contains(expected), "\(text)")
        }
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
