import Foundation
import OverblikApp
import Words

/// The words of the command line (help, errors, what a command prints), from the catalogs: in the language of
/// `--lang` (read before the arguments are parsed, so `overblik --lang en --help` is English), else
/// `$OVERBLIK_LANG`, else Danish.
enum CLI {
    static let language = Language.commandLine(variable: "OVERBLIK_LANG")

    static let strings = Strings.for(language)

    static func text(_ id: String, _ arguments: [String: Phrase.Argument] = [:]) -> String { strings.text(id, arguments) }

    /// An error in the chosen language when it carries a phrase (TLS, cache, storage, catalog), else as it describes
    /// itself.
    static func words(_ error: any Error) -> String {
        if let phrased = error as? any Phrased { return strings.text(phrased.phrase) }
        return "\(error)"
    }

    /// A command that could not do its work, said once, without the usage text.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }
}
