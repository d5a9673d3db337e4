import ArgumentParser
import Federation
import Foundation
import Platform

/// `sundhedscloud audit verify`: checks the audit log's hash chain.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Adgangsloggen (audit).", subcommands: [Verify.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Kontrollér adgangsloggens hashkæde: ændrede, fjernede eller indskudte poster findes.",
            discussion: "Afslutter med 0 når kæden er hel, 1 når den er brudt.")

        @Option(help: "Platformens lager: sqlite:STI (standard: $XDG_DATA_HOME/sundhedscloud/platform.sqlite).")
        var storage: String?

        func run() async throws {
            let path: String
            if let storage {
                guard storage.hasPrefix("sqlite:"), storage.count > 7 else {
                    throw ValidationError("--storage skal være sqlite:STI")
                }
                path = String(storage.dropFirst(7))
            } else {
                path = XDGDirectory.data.path("platform.sqlite", app: "sundhedscloud")
            }
            guard FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("Intet platformslager i \(path)")
            }
            let entries: [AuditEntry]
            do {
                let store = try SQLiteStorage(path: path)
                try await store.migrate()
                var all: [AuditEntry] = []
                while true {
                    let page = try await store.auditEntries(
                        patient: nil, emergencyOnly: false, after: all.last?.sequence ?? 0, limit: 5000)
                    all += page
                    if page.count < 5000 { break }
                }
                entries = all
            } catch {
                throw ValidationError("\(error)")
            }
            let report = AuditChain.verify(entries)
            if let broken = report.broken {
                print("Adgangsloggen er BRUDT ved post \(broken.sequence): \(broken.reason) (\(report.count) poster i alt).")
                throw ExitCode(1)
            }
            let emergencies = entries.filter(\.emergency).count
            print("Adgangsloggen er hel: \(report.count) poster, kæden holder (heraf \(emergencies) værdispring).")
        }
    }
}
