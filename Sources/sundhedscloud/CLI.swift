import ArgumentParser
import Words

/// The words of the platform's command line (help, errors, what a command prints), from the catalogs
/// (`[platform-cli]`, ids written in full): in the language of `--lang` (read before the arguments are parsed, so that
/// `sundhedscloud serve --lang en --help` is English), else `$SUNDHEDSCLOUD_LANG`, else Danish.
enum CLI {
    static let language = Language.commandLine(variable: "SUNDHEDSCLOUD_LANG")

    static let catalog = Catalog.bundled(language)

    static func text(_ id: String, _ arguments: [String: Phrase.Argument] = [:]) -> String {
        catalog.text(id, arguments)
    }

    /// An error in the chosen language when it carries a phrase, else as it describes itself.
    static func words(_ error: any Error) -> String {
        if let phrased = error as? any Phrased { return catalog.text(phrased.phrase) }
        return "\(error)"
    }

    /// A wrong option, in words: said with the usage text.
    static func refusal(_ id: String, _ arguments: [String: Phrase.Argument] = [:]) -> ValidationError {
        ValidationError(text(id, arguments))
    }

    /// A command that could not do its work (a file, a storage, a port), in words: said once, without the usage
    /// text, which would not help.
    static func failure(_ id: String, _ arguments: [String: Phrase.Argument] = [:]) -> Failure {
        Failure(description: text(id, arguments))
    }

    static func failure(_ error: any Error) -> Failure { Failure(description: words(error)) }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }
}

/// `--lang da|en` on every command (the language itself is read by `CLI` before parsing).
struct LanguageOption: ParsableArguments {
    @Option(help: ArgumentHelp(CLI.catalog.text("cli.help.lang")))
    var lang: String = "da"

    func validate() throws {
        guard Language(rawValue: lang) != nil else { throw ValidationError(CLI.catalog.text("cli.error.lang")) }
    }
}
