import Foundation
import Platform

/// [6/6]: events from acceptance on one node to subscribers on the other, two nodes over PostgreSQL, beside one
/// node on SQLite in the same run; and audit appends/s on each backend (8 writers; on PostgreSQL from two handles,
/// as two nodes). PostgreSQL: `--postgres URL` (a database the bench may fill), else a throwaway server started
/// with `scripts/throwaway-postgres` and stopped afterwards.
enum ClusterBench {
    static func run(
        postgres: String?, rate: Int, seconds: Int, subscribers: Int, audits: Int, report: inout BenchReport
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("overblik-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var throwaway: URL?
        let url: String
        if let postgres {
            url = postgres
        } else {
            throwaway = folder.appendingPathComponent("pg")
            url = try await script("start", throwaway!)
        }
        defer { if let throwaway { Task { _ = try? await script("stop", throwaway) } } }

        // One node on SQLite.
        let sqlite = try SQLiteStorage(path: folder.appendingPathComponent("platform.sqlite").path)
        let single = try await EventBench.node(sqlite)
        try await EventBench.measure(
            postTo: single.baseURL, listenOn: single.baseURL, rate: rate, seconds: seconds, subscribers: subscribers,
            prefix: "cluster_sqlite_1node", report: &report)
        await single.stop()
        report.add("audit_appends_per_s_sqlite", try await audit([sqlite, sqlite], count: audits))

        // Two nodes on PostgreSQL: posted to A, received on B.
        let a = try await EventBench.node(try PlatformStorageLocation.open(url))
        let b = try await EventBench.node(try PlatformStorageLocation.open(url))
        try await EventBench.measure(
            postTo: a.baseURL, listenOn: b.baseURL, rate: rate, seconds: seconds, subscribers: subscribers,
            prefix: "cluster_postgres_2nodes_a_to_b", report: &report)
        let first = a.engine.storage
        let second = b.engine.storage
        report.add("audit_appends_per_s_postgres_2nodes", try await audit([first, second], count: audits))
        let all = try await second.auditEntries(patient: nil, emergencyOnly: false, after: 0, limit: audits + 10)
        report.add("audit_chain_verifies_postgres", AuditChain.verify(all).broken == nil ? 1 : 0)
        for server in [a, b] {
            await server.stop()
            await server.engine.storage.shutdown()
        }
    }

    /// Appends `count` audit entries with 8 concurrent writers spread over `storages`; appends per second.
    static func audit(_ storages: [any PlatformStorage], count: Int) async throws -> Double {
        let identity = Identity(id: "bench", name: "Bench", role: .doctor)
        let clock = ContinuousClock()
        let started = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                let storage = storages[writer % storages.count]
                group.addTask {
                    for _ in 0..<(count / 8) {
                        _ = try await storage.appendAudit(
                            AuditEntry(
                                identity: identity, patientCPR: "2509479989", sourceID: "hospital",
                                resourceTypes: ["Encounter"], action: "search", purpose: "TREAT", outcome: "success",
                                reason: nil, emergency: false, client: "bench"))
                    }
                }
            }
            try await group.waitForAll()
        }
        return Double(count / 8 * 8) / (clock.now - started).milliseconds * 1000
    }

    /// `scripts/throwaway-postgres COMMAND DIR`, polled (Foundation can miss a child's end on Linux).
    static func script(_ command: String, _ directory: URL) async throws -> String {
        guard let root = DemoRoot.locate() else { throw BenchError("Fandt ikke scripts/throwaway-postgres") }
        let output = directory.deletingLastPathComponent().appendingPathComponent("pg-\(command).out")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        let process = Process()
        process.executableURL = root.appendingPathComponent("scripts/throwaway-postgres")
        process.arguments = [command, directory.path]
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        try? handle.close()
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else { throw BenchError("throwaway-postgres \(command): \(text)") }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// The project folder (where `scripts/` and `demo-data/` are): the working directory or one of its parents.
enum DemoRoot {
    static func locate() -> URL? {
        var url = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for _ in 0..<5 {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("scripts/throwaway-postgres").path) {
                return url
            }
            url.deleteLastPathComponent()
        }
        return nil
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
