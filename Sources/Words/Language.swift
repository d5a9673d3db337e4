import Foundation

/// The UI language: Danish by default, English with `--lang en`.
public enum Language: String, Sendable, CaseIterable {
    case da, en
}

extension Language {
    /// The language a command line asks for, known before its arguments are parsed (so that its help and its
    /// errors are already in it): `--lang en` or `--lang=en` anywhere in `arguments`, else the environment
    /// variable, else Danish.
    ///
    /// ```swift
    /// static let language = Language.commandLine(variable: "SUNDHEDSCLOUD_LANG")
    /// ```
    public static func commandLine(
        _ arguments: [String] = CommandLine.arguments, variable: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Language {
        for (index, argument) in arguments.enumerated() {
            if argument.hasPrefix("--lang=") { return Language(rawValue: String(argument.dropFirst(7))) ?? .da }
            if argument == "--lang", index + 1 < arguments.count { return Language(rawValue: arguments[index + 1]) ?? .da }
        }
        return environment[variable].flatMap(Language.init(rawValue:)) ?? .da
    }
}
