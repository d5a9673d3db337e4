/// Something to say, as a message id and its named parameters, not yet in any language. The domain (Federation,
/// EventStream, Platform) reports statuses, failures and reasons as phrases; the edge (the TUI, the CLI, an
/// OperationOutcome) turns them into words with a `Catalog`:
///
/// ```swift
/// let failure = Phrase("failure.timeout", ["limit": .seconds(2)])
/// Catalog.english.text(failure)  // "did not answer within 2 s"
/// ```
public struct Phrase: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A parameter's value. Numbers are written the language's way (decimal comma in Danish); a nested phrase is
    /// put in words first; text (a name, a source's own words) is used as it is.
    public indirect enum Argument: Sendable, Hashable, Codable {
        case text(String)
        case integer(Int)
        case decimal(Double)
        /// A duration in seconds, written with the language's own unit words.
        case seconds(Double)
        case phrase(Phrase)
        /// Phrases put in words and joined with ", ".
        case list([Phrase])
    }

    /// The message id in `Assets/strings/*.toml` ("failure.timeout"); empty for text said as it is.
    public let id: String
    public let arguments: [String: Argument]

    public init(_ id: String, _ arguments: [String: Argument] = [:]) {
        self.id = id
        self.arguments = arguments
    }

    /// Words from outside (a source's own diagnostics, a name) shown as they are.
    public static func verbatim(_ text: String) -> Phrase { Phrase("", ["text": .text(text)]) }

    /// "did not answer within 2 s": the one phrase for a time limit reached, wherever it was reached.
    public static func timeout(milliseconds: Int) -> Phrase {
        Phrase("failure.timeout", ["limit": .seconds(Double(milliseconds) / 1000)])
    }

    /// Words from outside that came in both languages (a gateway's OperationOutcome has Danish diagnostics and
    /// English details): each language shows its own, Danish when there is no English.
    public static func translated(danish: String, english: String?) -> Phrase {
        var arguments: [String: Argument] = ["text": .text(danish)]
        if let english, !english.isEmpty { arguments["en"] = .text(english) }
        return Phrase("", arguments)
    }

    /// The verbatim text, if this phrase is one (in Danish, for a translated one).
    public var verbatimText: String? {
        guard id.isEmpty, case .text(let text)? = arguments["text"] else { return nil }
        return text
    }

    /// The id and parameters, for logs and tests (never shown to a user: that goes through a catalog).
    public var description: String {
        if let verbatimText { return verbatimText }
        guard !arguments.isEmpty else { return id }
        let parameters = arguments.keys.sorted().map { "\($0)=\(arguments[$0].map(Self.describe) ?? "")" }
        return "\(id)(\(parameters.joined(separator: ", ")))"
    }

    static func describe(_ argument: Argument) -> String {
        switch argument {
        case .text(let text): return text
        case .integer(let value): return String(value)
        case .decimal(let value), .seconds(let value): return String(value)
        case .phrase(let phrase): return phrase.description
        case .list(let phrases): return phrases.map(\.description).joined(separator: ", ")
        }
    }
}

/// A value the edge can put in words.
public protocol Phrased {
    var phrase: Phrase { get }
}
