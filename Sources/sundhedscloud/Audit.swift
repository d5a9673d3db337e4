import ArgumentParser
import Federation
import Foundation
import Platform

/// `sundhedscloud audit verify`: checks the audit log's hash chain.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Adgangsloggen (audit).", subcommands: [Verify.self, Key.self])

    static var defaultKeyFile: String { XDGDirectory.data.path("audit-signing-key.pem", app: "sundhedscloud") }

    /// `sundhedscloud audit key`: the node's public checkpoint key, for auditors to pin (`verify --trusted-key`).
    struct Key: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Vis nodens offentlige nøgle til adgangsloggens checkpoints (til audit verify --trusted-key).")

        @Option(
            help: ArgumentHelp("Nodens nøglefil (standard $XDG_DATA_HOME/sundhedscloud/audit-signing-key.pem).", valueName: "fil")
        )
        var auditKey: String?

        func run() throws {
            let path = auditKey ?? Audit.defaultKeyFile
            guard FileManager.default.fileExists(atPath: path) else { throw ValidationError("Ingen nøglefil i \(path)") }
            do {
                print(try AuditSigningKey.loadOrCreate(path: path).publicKeyText)
            } catch {
                throw ValidationError("\(error)")
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Kontrollér adgangsloggens hashkæde: ændrede, fjernede eller indskudte poster findes.",
            discussion: """
                Med --checkpoints FIL (nodens checkpoint-fil eller gemte svar fra GET /AuditEvent/$checkpoint, én \
                JSON-linje hver) kontrolleres også at hvert checkpoint er underskrevet med nodens nøgle, at kæden \
                indeholder dets post og hash, og at den ikke ender før det seneste: en afskåret hale eller en tabel \
                skrevet om med nye hashes findes. Afslutter med 0 når kæden er hel, 1 når den er brudt.
                """)

        @Option(
            help: """
                Platformens lager: sqlite:STI eller postgres://BRUGER:KODE@VÆRT:PORT/DATABASE \
                (standard: $SUNDHEDSCLOUD_STORAGE, ellers sqlite:$XDG_DATA_HOME/sundhedscloud/platform.sqlite).
                """)
        var storage: String?

        @Option(
            name: .customLong("checkpoints"),
            help: ArgumentHelp("Checkpoints som JSON-linjer (kan gentages).", valueName: "fil"))
        var checkpointFiles: [String] = []

        @Option(
            name: .customLong("trusted-key"),
            help: ArgumentHelp(
                "En nodes offentlige nøgle (base64, fra audit key) eller dens nøglefil; kan gentages. Standard: nøglefilen i $XDG_DATA_HOME/sundhedscloud/ hvis den findes.",
                valueName: "nøgle"))
        var trustedKeys: [String] = []

        /// The keys checkpoints must be signed with; nil when none is known (then each checkpoint's own key).
        func trusted() throws -> Set<String>? {
            var keys = Set<String>()
            for given in trustedKeys {
                if FileManager.default.fileExists(atPath: given) {
                    do {
                        keys.insert(try AuditSigningKey.loadOrCreate(path: given).publicKeyText)
                    } catch {
                        throw ValidationError("\(error)")
                    }
                } else if let raw = Data(base64Encoded: given), raw.count == 32 {
                    keys.insert(given)
                } else {
                    throw ValidationError("--trusted-key \(given): hverken en nøglefil eller en base64-nøgle (32 byte)")
                }
            }
            if trustedKeys.isEmpty, FileManager.default.fileExists(atPath: Audit.defaultKeyFile),
                let key = try? AuditSigningKey.loadOrCreate(path: Audit.defaultKeyFile)
            {
                keys.insert(key.publicKeyText)
            }
            return keys.isEmpty ? nil : keys
        }

        func checkpoints() throws -> [AuditCheckpoint] {
            var all: [AuditCheckpoint] = []
            for file in checkpointFiles {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw ValidationError("\(file): findes ikke eller kan ikke læses")
                }
                do {
                    all += try AuditCheckpoint.parseLines(data)
                } catch {
                    throw ValidationError("\(file): \(error)")
                }
            }
            return all
        }

        func run() async throws {
            let checkpoints = try checkpoints()
            let trusted = try trusted()
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
            var checked = ""
            if !checkpointFiles.isEmpty {
                let result = AuditCheckpointCheck.verify(chain: entries, checkpoints: checkpoints, trustedKeys: trusted)
                if let problem = result.problem {
                    print("Adgangsloggen er BRUDT: \(problem) (\(report.count) poster, \(result.count) checkpoints).")
                    if problem.contains("nøgle der ikke er nodens") {
                        print(
                            "Kontrolleret mod \(trustedKeys.isEmpty ? "nøglefilen \(Audit.defaultKeyFile)" : "--trusted-key"); "
                                + "nodens nøgle vises af 'sundhedscloud audit key' på noden.")
                    }
                    throw ExitCode(1)
                }
                if result.count == 0 {
                    print("Advarsel: checkpoint-filen er tom; kun kæden selv er kontrolleret.")
                } else if trusted == nil {
                    print(
                        "Advarsel: ingen nodenøgle kendt (--trusted-key): underskrifterne er kontrolleret mod nøglerne i checkpointene selv."
                    )
                }
                checked = ", \(result.count) checkpoints holder (seneste post \(result.latest))"
            }
            print("Adgangsloggen er hel: \(report.count) poster, kæden holder (heraf \(emergencies) værdispring)\(checked).")
        }
    }
}
