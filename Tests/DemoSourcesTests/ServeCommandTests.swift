import Foundation
import Testing

/// `sundhedscloud serve --demo` as a user runs it: a real process, real ports, real signals.
@Suite(.serialized) struct ServeCommandTests {
    static var executable: URL? {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("sundhedscloud")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// The process and everything it has printed so far (collected in the background, so reading never blocks).
    struct Run {
        let process: Process
        let collected: Collected

        final class Collected: @unchecked Sendable {
            private let lock = NSLock()
            private var data = Data()

            func append(_ chunk: Data) {
                lock.lock()
                data.append(chunk)
                lock.unlock()
            }

            var text: String {
                lock.lock()
                defer { lock.unlock() }
                return String(decoding: data, as: UTF8.self)
            }
        }

        func readUntil(_ marker: String, timeout: Duration) async -> String {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline, !collected.text.contains(marker) {
                if !process.isRunning {
                    try? await Task.sleep(for: .milliseconds(100))
                    break
                }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return collected.text
        }
    }

    func launch(_ arguments: [String]) throws -> Run {
        let executable = try #require(Self.executable, "build the sundhedscloud product first (make test does)")
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = Fixtures.repositoryRoot
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let collected = Run.Collected()
        pipe.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
        try process.run()
        return Run(process: process, collected: collected)
    }

    func waitForExit(_ process: Process, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        return !process.isRunning
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func servesTheThreeSourcesAndStopsCleanlyOnSignal(signal: Int32) async throws {
        let base = Int.random(in: 20_000...60_000)
        let run = try launch(["serve", "--demo", "--port-base", String(base), "--no-date-shift"])
        let banner = await run.readUntil("Stop med Ctrl-C", timeout: .seconds(120))
        #expect(banner.contains("http://127.0.0.1:\(base + 1)/fhir"), "\(banner)")
        #expect(banner.contains("http://127.0.0.1:\(base + 2)/fhir"))
        #expect(banner.contains("http://127.0.0.1:\(base + 3)/fhir"))
        let answer = try await HTTP.get(
            "http://127.0.0.1:\(base + 1)/fhir/Patient?identifier=\(HTTP.q("urn:oid:1.2.208.176.1.2|2509479989"))")
        #expect(try answer.bundle().total == 1)
        kill(run.process.processIdentifier, signal)
        let stopped = await waitForExit(run.process, timeout: .seconds(20))
        if !stopped { run.process.terminate() }
        #expect(stopped)
        #expect(run.process.terminationStatus == 0)
        let rest = await run.readUntil("stoppet", timeout: .seconds(2))
        #expect(rest.contains("Demo-kilderne er stoppet"))
        #expect(!rest.contains("error"), "\(rest)")
        await #expect(throws: (any Error).self) { _ = try await HTTP.get("http://127.0.0.1:\(base + 1)/fhir/metadata") }
    }

    @Test func badOptionsGetAClearMessage() async throws {
        let run = try launch(["serve", "--demo", "--fault", "hospital:explode"])
        let text = await run.readUntil("\n", timeout: .seconds(30))
        _ = await waitForExit(run.process, timeout: .seconds(10))
        #expect(run.process.terminationStatus != 0)
        #expect(text.contains("ukendt fejlindstilling"), "\(text)")
    }

    @Test func aMissingDataDirectoryIsNamed() async throws {
        let run = try launch(["serve", "--demo", "--data", "/nonexistent/demo-data"])
        let text = await run.readUntil("\n", timeout: .seconds(30))
        _ = await waitForExit(run.process, timeout: .seconds(10))
        #expect(run.process.terminationStatus != 0)
        #expect(text.contains("/nonexistent/demo-data/manifest.json"), "\(text)")
    }
}
