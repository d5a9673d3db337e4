import ArgumentParser
import Federation
import Foundation
import Platform
import Words

/// `sundhedscloud audit verify`: checks the audit log's hash chain.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: CLI.text("platform-cli.abstract.audit"), subcommands: [Verify.self, Key.self])

    static var defaultKeyFile: String { XDGDirectory.data.path("audit-signing-key.pem", app: "sundhedscloud") }

    /// `--storage`, else `$SUNDHEDSCLOUD_STORAGE`, else the SQLite file under the XDG data folder.
    static func storageLocation(_ given: String?) -> String {
        given ?? ProcessInfo.processInfo.environment["SUNDHEDSCLOUD_STORAGE"]
            ?? "sqlite:" + XDGDirectory.data.path("platform.sqlite", app: "sundhedscloud")
    }

    /// Where a node appends its checkpoints when `--audit-checkpoints` is not given: one file per storage, so that
    /// the checkpoints of one chain never sit among another's (which `audit verify` would rightly call a cut). The
    /// default storage has `audit-checkpoints.jsonl`; another has the file named after it (without its password).
    static func defaultCheckpointFile(storage location: String) -> String {
        let defaultLocation = storageLocation(nil)
        guard location != defaultLocation else {
            return XDGDirectory.data.path("audit-checkpoints.jsonl", app: "sundhedscloud")
        }
        var name = ""
        for character in PlatformStorageLocation.redacted(location).unicodeScalars {
            let keep = CharacterSet.alphanumerics.contains(character) && character.isASCII
            if keep {
                name.unicodeScalars.append(character)
            } else if !name.hasSuffix("-") {
                name += "-"
            }
        }
        let trimmed = name.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return XDGDirectory.data.path("audit-checkpoints-\(trimmed.suffix(100)).jsonl", app: "sundhedscloud")
    }

    /// `sundhedscloud audit key`: the node's public checkpoint key, for auditors to pin (`verify --trusted-key`).
    struct Key: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: CLI.text("platform-cli.abstract.key"))

        @Option(
            help: ArgumentHelp(CLI.text("platform-cli.help.key-file"), valueName: CLI.catalog.text("cli.value.file")))
        var auditKey: String?

        @OptionGroup var languageOption: LanguageOption

        func run() throws {
            let path = auditKey ?? Audit.defaultKeyFile
            guard FileManager.default.fileExists(atPath: path) else {
                throw CLI.failure("platform-cli.error.no-key-file", ["path": .text(path)])
            }
            do {
                print(try AuditSigningKey.loadOrCreate(path: path).publicKeyText)
            } catch {
                throw CLI.failure(error)
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: CLI.text("platform-cli.abstract.verify"), discussion: CLI.text("platform-cli.discussion.verify"))

        @Option(
            help: ArgumentHelp(CLI.text("platform-cli.help.storage")))
        var storage: String?

        @Option(
            name: .customLong("checkpoints"),
            help: ArgumentHelp(CLI.text("platform-cli.help.checkpoints"), valueName: CLI.catalog.text("cli.value.file")))
        var checkpointFiles: [String] = []

        @Option(
            name: .customLong("trusted-key"),
            help: ArgumentHelp(CLI.text("platform-cli.help.trusted-key"), valueName: CLI.text("platform-cli.value.key")))
        var trustedKeys: [String] = []

        @OptionGroup var languageOption: LanguageOption

        /// The keys checkpoints must be signed with; nil when none is known (then each checkpoint's own key).
        func trusted() throws -> Set<String>? {
            var keys = Set<String>()
            for given in trustedKeys {
                if FileManager.default.fileExists(atPath: given) {
                    do {
                        keys.insert(try AuditSigningKey.loadOrCreate(path: given).publicKeyText)
                    } catch {
                        throw CLI.failure(error)
                    }
                } else if let raw = Data(base64Encoded: given), raw.count == 32 {
                    keys.insert(given)
                } else {
                    throw CLI.failure("platform-cli.error.trusted-key", ["key": .text(given)])
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
                    throw CLI.failure("platform-cli.error.file-unreadable", ["file": .text(file)])
                }
                do {
                    all += try AuditCheckpoint.parseLines(data)
                } catch {
                    throw CLI.failure("platform-cli.error.in-file", ["file": .text(file), "error": .text(CLI.words(error))])
                }
            }
            return all
        }

        func run() async throws {
            let checkpoints = try checkpoints()
            let trusted = try trusted()
            let location = Audit.storageLocation(storage)
            if location.hasPrefix("sqlite:"), !FileManager.default.fileExists(atPath: String(location.dropFirst(7))) {
                throw CLI.failure("platform-cli.error.no-storage", ["path": .text(String(location.dropFirst(7)))])
            }
            let entries: [AuditEntry]
            let store: any PlatformStorage
            do {
                store = try PlatformStorageLocation.open(location)
            } catch {
                throw CLI.failure(error)
            }
            do {
                try await store.migrate()
                entries = try await store.auditChain()
                await store.shutdown()
            } catch {
                await store.shutdown()
                throw CLI.failure(error)
            }
            let report = AuditChain.verify(entries)
            if let broken = report.broken {
                print(
                    CLI.text(
                        "platform-cli.verify.broken-at",
                        [
                            "sequence": .integer(Int(broken.sequence)), "reason": .phrase(broken.phrase),
                            "count": .integer(report.count),
                        ]))
                throw ExitCode(1)
            }
            let emergencies = entries.filter(\.emergency).count
            var checked = ""
            if !checkpointFiles.isEmpty {
                let result = AuditCheckpointCheck.verify(chain: entries, checkpoints: checkpoints, trustedKeys: trusted)
                if let problem = result.problem {
                    print(
                        CLI.text(
                            "platform-cli.verify.broken-checkpoints",
                            [
                                "problem": .phrase(result.problemPhrase ?? .verbatim(problem)), "entries": .integer(report.count),
                                "count": .integer(result.count),
                            ]))
                    if result.problemPhrase?.id == "audit-check.untrusted-key" {
                        print(
                            trustedKeys.isEmpty
                                ? CLI.text("platform-cli.verify.checked-against-file", ["path": .text(Audit.defaultKeyFile)])
                                : CLI.text("platform-cli.verify.checked-against-trusted"))
                    }
                    throw ExitCode(1)
                }
                if result.count == 0 {
                    print(CLI.text("platform-cli.verify.empty-checkpoints"))
                } else if trusted == nil {
                    print(CLI.text("platform-cli.verify.no-trusted-key"))
                }
                checked = CLI.text(
                    "platform-cli.verify.checkpoints-hold",
                    ["count": .integer(result.count), "latest": .integer(Int(result.latest))])
            }
            print(
                CLI.text(
                    "platform-cli.verify.whole",
                    ["count": .integer(report.count), "emergencies": .integer(emergencies), "checked": .text(checked)]))
        }
    }
}
