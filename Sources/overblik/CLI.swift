import Foundation
import OverblikApp
import Words

/// The words of the command line (help, errors, what a command prints), from the catalogs: in the language of
/// `--lang` (read before the arguments are parsed, so `overblik --lang en --help` is English), else
/// `$OVERBLIK_LANG`, else Danish.
enum CLI {
    static let language: Language = {
        let arguments = CommandLine.arguments
        for (index, argument) in arguments.enumerated() {
            if argument.hasPrefix("--lang=") { return Language(rawValue: String(argument.dropFirst(7))) ?? .da }
            if argument == "--lang", index + 1 < arguments.count { return Language(rawValue: arguments[index + 1]) ?? .da }
        }
        return ProcessInfo.processInfo.environment["OVERBLIK_LANG"].flatMap(Language.init(rawValue:)) ?? .da
    }()

    static let strings = Strings.for(language)

    static func text(_ id: String, _ arguments: [String: Phrase.Argument] = [:]) -> String { strings.text(id, arguments) }
}
