import Foundation
import TestSupport
import Testing

/// `sundhedscloud serve` given a storage it cannot use: a start-up error that names the problem, never a crash and
/// never a half-started node; and the storage named in a configuration file.
@Suite(.timeLimit(.minutes(2))) struct StorageStartupTests {
    static func serve(_ arguments: [String], environment: [String: String] = [:]) async throws -> (Int32, String) {
        let run = try ProcessRun(
            "sundhedscloud", ["serve"] + arguments, directory: PlatformFixtures.repositoryRoot,
            environment: environment)
        let ended = await run.waitForExit(timeout: .seconds(60))
        if !ended { run.process.terminate() }
        #expect(ended, "serve gave up by itself: \(run.output)")
        return (run.process.terminationStatus, run.output)
    }

    static let secret = ["--token-secret", String(repeating: "s", count: 40), "--insecure-http"]

    @Test("Forkert adgangskode til PostgreSQL: en fejl ved start der siger det")
    func wrongPassword() async throws {
        let good = try TestPostgres.serverURL()
        var components = try #require(URLComponents(string: good))
        components.password = "forkert"
        let (status, output) = try await Self.serve(
            ["--sources", "Tests/PlatformTests/Fixtures/one-source.toml", "--port", "0", "--storage", components.string!]
                + Self.secret)
        #expect(status != 0)
        #expect(output.contains("password authentication failed"), "\(output)")
        #expect(!output.contains("forkert"), "the password is never printed")
        #expect(!output.contains("Fatal error"))
    }

    @Test("PostgreSQL der ikke svarer, og en adresse der ikke er en adresse")
    func unreachableAndMalformed() async throws {
        let (status, output) = try await Self.serve(
            [
                "--sources", "Tests/PlatformTests/Fixtures/one-source.toml", "--port", "0", "--storage",
                "postgres://platform:hemmelig@127.0.0.1:9/sundhedscloud",
            ] + Self.secret)
        #expect(status != 0)
        #expect(output.contains("kan ikke nås"), "\(output)")
        #expect(!output.contains("hemmelig"))
        let (bad, text) = try await Self.serve(
            ["--sources", "Tests/PlatformTests/Fixtures/one-source.toml", "--storage", "mysql://x"] + Self.secret)
        #expect(bad != 0)
        #expect(text.contains("Ukendt lager"), "\(text)")
    }

    @Test("Lageret og nøglen fra en konfigurationsfil; en ukendt nøgle nævnes med linjenummer")
    func configurationFile() async throws {
        let directory = PlatformFixtures.temporaryDirectory()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let broken = directory.appendingPathComponent("broken.toml")
        try "port = 0\ncolour = \"blå\"\n".write(to: broken, atomically: true, encoding: .utf8)
        let (status, output) = try await Self.serve(["--config", broken.path, "--demo"])
        #expect(status != 0)
        #expect(output.contains("broken.toml:2: ukendt nøgle 'colour'"), "\(output)")

        let good = directory.appendingPathComponent("node.toml")
        try """
        storage = "postgres://platform:hemmelig@127.0.0.1:9/sundhedscloud"
        sources = "Tests/PlatformTests/Fixtures/one-source.toml"
        port = 0
        token_secret = "\(String(repeating: "t", count: 40))"
        insecure_http = true
        """.write(to: good, atomically: true, encoding: .utf8)
        let (used, text) = try await Self.serve(["--config", good.path])
        #expect(used != 0)
        #expect(text.contains("postgres://platform@127.0.0.1:9/sundhedscloud"), "the file's storage was used: \(text)")
    }
}
