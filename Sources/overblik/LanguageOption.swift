import ArgumentParser
import Words

/// `--lang da|en`, shared by the TUI and `overview` (an option group: a subcommand's own option of the same name
/// would be taken by the parent command).
struct LanguageOption: ParsableArguments {
    @Option(help: ArgumentHelp(CLI.text("cli.help.lang")))
    var lang: String = "da"

    var language: Language { Language(rawValue: lang) ?? .da }

    func validate() throws {
        guard Language(rawValue: lang) != nil else { throw ValidationError(CLI.text("cli.error.lang")) }
    }
}
