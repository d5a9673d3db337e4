import ArgumentParser
import DemoSources
import Federation
import Foundation

/// `sundhedscloud cohort`: writes the synthetic research cohort (`make cohort`), which `serve --demo` then serves
/// through Bulk Data as the cohort source.
struct Cohort: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: CLI.text("platform-cli.abstract.cohort"))

    static var defaultFolder: String { XDGDirectory.data.path("cohort", app: "sundhedscloud") }

    @Option(help: ArgumentHelp(CLI.text("platform-cli.help.persons")))
    var persons = 100_000

    @Option(help: ArgumentHelp(CLI.text("platform-cli.help.seed")))
    var seed: UInt64 = 2026

    @Option(
        help: ArgumentHelp(CLI.text("platform-cli.help.cohort-out"), valueName: CLI.text("platform-cli.value.folder")))
    var out: String?

    @OptionGroup var languageOption: LanguageOption

    func validate() throws {
        guard (1...2_000_000).contains(persons) else { throw CLI.refusal("platform-cli.error.persons") }
    }

    func run() throws {
        let folder = URL(fileURLWithPath: out ?? Self.defaultFolder)
        let started = Date()
        let manifest: CohortFiles.Manifest
        do {
            try FileManager.default.createDirectory(
                at: folder.deletingLastPathComponent(), withIntermediateDirectories: true)
            manifest = try CohortGenerator(persons: persons, seed: seed).write(to: folder) { written in
                FileHandle.standardError.write(
                    Data(
                        (CLI.text("platform-cli.cohort.progress", ["written": .integer(written), "persons": .integer(persons)])
                            + "\n").utf8))
            }
        } catch {
            throw CLI.failure("platform-cli.error.cohort", ["error": .text(CLI.words(error))])
        }
        let resources = manifest.counts.values.reduce(0, +)
        print(
            CLI.text(
                "platform-cli.cohort.written",
                [
                    "persons": .integer(manifest.persons), "resources": .integer(resources), "path": .text(folder.path),
                    "seconds": .integer(Int(Date().timeIntervalSince(started).rounded())),
                ]))
        for type in manifest.counts.keys.sorted() {
            print("  \(type): \(manifest.counts[type] ?? 0)")
        }
    }
}
