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

        @Option(
            help: """
                Platformens lager: sqlite:STI eller postgres://BRUGER:KODE@VÆRT:PORT/DATABASE \
                (standard: $SUNDHEDSCLOUD_STORAGE, ellers sqlite:$XDG_DATA_HOME/sundhedscloud/platform.sqlite).
                """)
        var storage: String?

        func run() async throws {
            let location =
                storage ?? ProcessInfo.processInfo.environment["SUNDHEDSCLOUD_STORAGE"]
                ?? "sqlite:" + XDGDirectory.data.path("platform.sqlite", app: "sundhedscloud")
            if location.hasPrefix("sqlite:"), !FileManager.default.fileExists(atPath: String(location.dropFirst(7))) {
                throw ValidationError("Intet platformslager i \(location.dropFirst(7))")
            }
            let entries: [AuditEntry]
            let store: any PlatformStorage
            do {
                store = try PlatformStorageLocation.open(location)
            } catch {
                throw ValidationError("\(error)")
            }
            do {
                try await store.migrate()
                entries = try await store.auditChain()
                await store.shutdown()
            } catch {
                await store.shutdown()
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
