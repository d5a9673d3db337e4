import ArgumentParser
import FHIR
import Federation
import Foundation
import Summary
import Words

/// `overblik summary CPR`: the patient's international patient summary (IPS), read through the gateway as the user
/// (with `--demo`, the embedded one), so that care relationships, blocks and the audit log apply as for the overview.
struct SummaryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary", abstract: CLI.text("cli.abstract.summary"), discussion: CLI.text("cli.discussion.summary"))

    @Argument(help: ArgumentHelp(CLI.text("cli.help.cpr")))
    var cpr: String

    @OptionGroup var sourceOptions: SourceOptions

    @Flag(help: ArgumentHelp(CLI.text("cli.help.summary-json")))
    var json = false

    @Flag(help: ArgumentHelp(CLI.text("cli.help.summary-plain")))
    var plain = false

    @Option(help: ArgumentHelp(CLI.text("cli.help.out"), valueName: CLI.text("cli.value.file")))
    var out: String?

    @OptionGroup var languageOption: LanguageOption

    func validate() throws {
        try CommandInput.check(cpr: cpr, json: json, plain: plain)
    }

    func run() async throws {
        let number = try CPRNumber(cpr)
        let connection = try await sourceOptions.connect(throughGateway: true)
        let language = languageOption.language
        let document: JSONValue?
        if let login = connection.login {
            // The node's summary service ($summary): the same document a curl or an app gets.
            do {
                document = try await login.summary(cpr: number.value, language: language)
            } catch {
                await connection.close()
                if error.httpStatus == 404 {
                    throw CLI.Failure(description: CLI.text("cli.error.summary-no-patient", ["cpr": .text(number.formatted)]))
                }
                throw CLI.Failure(description: CLI.words(error))
            }
        } else {
            // Straight from the sources (`--sources` without a gateway): built here, from the same builder.
            let results = await connection.client(cache: nil).fetchAll(cpr: number)
            document = IPSBuilder(language: language).document(cpr: number.value, results: results)
        }
        await connection.close()
        guard let document else {
            throw CLI.Failure(description: CLI.text("cli.error.summary-no-patient", ["cpr": .text(number.formatted)]))
        }
        let bytes: Data =
            json ? Data((document.serializedString() + "\n").utf8) : Data(SummaryText.render(document).utf8)
        if let out {
            do {
                try bytes.write(to: URL(fileURLWithPath: out))
            } catch {
                throw CLI.Failure(
                    description: CLI.text("cli.error.summary-write", ["path": .text(out), "error": .text("\(error)")]))
            }
            FileHandle.standardError.write(Data((CLI.text("cli.summary.written", ["path": .text(out)]) + "\n").utf8))
        } else {
            FileHandle.standardOutput.write(bytes)
        }
    }
}

/// A summary document as linear text (screen readers, a terminal): its title, then each section with its items, and
/// why it has none or which sources are not in it.
enum SummaryText {
    static func render(_ document: JSONValue) -> String {
        guard let summary = try? SummaryDocument(document) else { return "" }
        var lines = [[summary.title, summary.patientName].compactMap { $0 }.joined(separator: ": "), ""]
        for section in summary.sections {
            lines.append(section.title + ":")
            lines += section.items.map { "- " + $0 }
            lines += section.notes.map { (section.items.isEmpty ? "- " : "  ") + $0 }
            if section.items.isEmpty, section.notes.isEmpty { lines.append("- -") }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }
}
