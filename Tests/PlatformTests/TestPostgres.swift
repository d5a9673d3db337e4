import Foundation
import GRDB
import Logging
import Platform
import PostgresNIO
import Testing

/// PostgreSQL for the tests: `make test` starts a throwaway server (`scripts/throwaway-postgres`) and passes its URL
/// in `SUNDHEDSCLOUD_TEST_POSTGRES`; each test gets a database of its own on it.
enum TestPostgres {
    static let variable = "SUNDHEDSCLOUD_TEST_POSTGRES"

    /// The server's URL; a clear failure (not a silent skip) when the tests were started without one.
    static func serverURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment[variable], !url.isEmpty else {
            throw TestFailure(
                "PostgreSQL-testene kræver en database: kør `make test` (starter en midlertidig PostgreSQL), eller sæt \(variable)=postgres://BRUGER:KODE@127.0.0.1:PORT/postgres"
            )
        }
        return url
    }

    /// A new, empty database on the test server; returns its URL.
    static func freshDatabase() async throws -> String {
        let server = try serverURL()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await execute("CREATE DATABASE \(name)", on: server)
        guard var components = URLComponents(string: server) else { throw TestFailure("bad \(variable)") }
        components.path = "/" + name
        return components.string!
    }

    /// Runs one SQL statement directly (test set-up and tampering).
    static func execute(_ sql: String, on url: String) async throws {
        guard let components = URLComponents(string: url), let host = components.host, let user = components.user else {
            throw TestFailure("bad PostgreSQL URL")
        }
        let configuration = PostgresConnection.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: String(components.path.dropFirst()), tls: .disable)
        let logger = Logger(label: "test.postgres")
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 99, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw TestFailure(String(reflecting: error))
        }
    }

    /// A PostgreSQL server of the test's own (to stop and start in fault tests), in `directory`.
    struct OwnServer {
        let directory: URL
        let url: String

        static func start(in directory: URL) async throws -> OwnServer {
            let url = try await script("start", directory)
            return OwnServer(directory: directory, url: url)
        }

        func stop() async throws { try await TestPostgres.script("stop", directory) }
        func restart() async throws { try await TestPostgres.script("start", directory) }
        func remove() async {
            try? await stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// Runs `scripts/throwaway-postgres COMMAND DIR --fast`; its output (the URL for `start`).
    @discardableResult
    static func script(_ command: String, _ directory: URL) async throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("pg-script-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = PlatformFixtures.repositoryRoot.appendingPathComponent("scripts/throwaway-postgres")
        process.arguments = [command, directory.path, "--fast"]
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        // Polled: Foundation's waitUntilExit can miss the end of a child on Linux.
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        try? handle.close()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard !process.isRunning, process.terminationStatus == 0 else {
            if process.isRunning { process.terminate() }
            throw TestFailure("throwaway-postgres \(command) failed: \(text)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The two storage backends, for tests that must hold on both.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    /// A fresh, migrated storage; `second` opens another handle on the same database (another node).
    func make() async throws -> StorageUnderTest {
        switch self {
        case .sqlite:
            let directory = PlatformFixtures.temporaryDirectory()
            let location = "sqlite:" + directory.appendingPathComponent("platform.sqlite").path
            let storage = try PlatformStorageLocation.open(location)
            try await storage.migrate()
            return StorageUnderTest(backend: self, location: location, storage: storage, directory: directory)
        case .postgres:
            let location = try await TestPostgres.freshDatabase()
            let storage = try PlatformStorageLocation.open(location)
            try await storage.migrate()
            return StorageUnderTest(backend: self, location: location, storage: storage, directory: nil)
        }
    }
}

/// A storage made for one test, with the means to open a second node on it and to tamper with it.
struct StorageUnderTest: Sendable {
    let backend: Backend
    let location: String
    let storage: any PlatformStorage
    let directory: URL?

    /// Another handle on the same database, as a second node would open it.
    func second() async throws -> any PlatformStorage {
        let other = try PlatformStorageLocation.open(location)
        try await other.migrate()
        return other
    }

    /// Changes an audit row behind the platform's back (what `audit verify` must catch); returns the database's
    /// answer when it refuses.
    func tamperAudit(sequence: Int64) async -> String? {
        do {
            switch backend {
            case .sqlite:
                let database = try DatabaseQueue(path: String(location.dropFirst(7)))
                try await database.write { db in
                    try db.execute(sql: "UPDATE audit SET outcome = 'success' WHERE sequence = \(sequence)")
                }
            case .postgres:
                try await TestPostgres.execute(
                    "UPDATE audit SET outcome = 'success' WHERE sequence = \(sequence)", on: location)
            }
            return nil
        } catch {
            return "\(error)"
        }
    }

    func remove() async {
        await storage.shutdown()
        if let directory { try? FileManager.default.removeItem(at: directory) }
    }
}
