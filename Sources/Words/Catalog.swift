import Assets
import Foundation
import TOMLKit

/// Every text a user is shown, by message id, in one language: `Assets/strings/da.toml` or `en.toml`.
///
/// A text may have named parameters (`"Henter fra {count} kilder…"`) and plural forms, a table of `one` and `other`
/// chosen by the parameter `count` (Danish and English both say "1 kilde", "2 kilder"); a table whose keys are
/// exactly `one` and `other` is a plural, any other table a group of ids:
///
/// ```toml
/// [search]
/// fetching = { one = "Henter fra {count} kilde…", other = "Henter fra {count} kilder…" }
/// ```
///
/// The two bundled catalogs are read once, at first use (`Catalog.danish`, `Catalog.english`); a program checks
/// them at start with `Catalog.checkBundled()` and stops with a clear error when they are missing or broken. An id
/// the catalog lacks is shown as the id itself (the catalog tests fail on it long before a user could see one).
public struct Catalog: Sendable {
    public enum Entry: Sendable, Hashable {
        case text(String)
        case plural(one: String, other: String)

        /// Every form, for checks over the catalog.
        public var forms: [String] {
            switch self {
            case .text(let text): return [text]
            case .plural(let one, let other): return [one, other]
            }
        }
    }

    public let language: Language
    public let entries: [String: Entry]

    public init(language: Language, entries: [String: Entry]) {
        self.language = language
        self.entries = entries
    }

    /// Reads a catalog from TOML; the error names the file and line.
    public init(language: Language, toml text: String, file: String) throws(CatalogError) {
        let table: TOMLTable
        do throws(TOMLDocument.Problem) {
            table = try TOMLDocument.parse(text)
        } catch {
            throw CatalogError(file: file, line: error.line, message: error.message)
        }
        var entries: [String: Entry] = [:]
        try Self.collect(table, prefix: "", into: &entries, file: file, text: text)
        self.init(language: language, entries: entries)
    }

    static func collect(
        _ table: TOMLTable, prefix: String, into entries: inout [String: Entry], file: String, text: String
    ) throws(CatalogError) {
        for key in table.keys {
            let id = prefix.isEmpty ? key : prefix + "." + key
            guard let value = table[key] else { continue }
            if let string = value.string {
                entries[id] = .text(string)
            } else if let inner = value.table {
                let keys = Set(inner.keys)
                if keys == ["one", "other"] {
                    guard let one = inner["one"]?.string, let other = inner["other"]?.string else {
                        throw CatalogError(
                            file: file, line: line(of: key, in: text), message: "'\(id)': one and other must be texts")
                    }
                    entries[id] = .plural(one: one, other: other)
                } else {
                    try collect(inner, prefix: id, into: &entries, file: file, text: text)
                }
            } else {
                throw CatalogError(file: file, line: line(of: key, in: text), message: "'\(id)' must be a text or a table")
            }
        }
    }

    /// The first line that sets `key`, for an error message.
    static func line(of key: String, in text: String) -> Int? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.firstIndex { line in
            let trimmed = line.drop { $0 == " " }
            return trimmed.hasPrefix(key + " ") || trimmed.hasPrefix(key + "=")
        }.map { $0 + 1 }
    }

    // MARK: The bundled catalogs

    static let bundled: [Language: Result<Catalog, CatalogError>] = Dictionary(
        uniqueKeysWithValues: Language.allCases.map { language in
            let file = "strings/\(language.rawValue).toml"
            let loaded = Result<Catalog, CatalogError> { () throws(CatalogError) -> Catalog in
                let text: String
                do throws(AssetError) { text = try AssetFiles.text(file) } catch {
                    throw CatalogError(file: file, line: nil, message: error.description)
                }
                return try Catalog(language: language, toml: text, file: file)
            }
            return (language, loaded)
        })

    /// The bundled catalog of a language (empty when it could not be read: `checkBundled` says why).
    public static func bundled(_ language: Language) -> Catalog {
        (try? bundled[language]?.get()) ?? Catalog(language: language, entries: [:])
    }

    public static var danish: Catalog { bundled(.da) }
    public static var english: Catalog { bundled(.en) }

    /// Throws the first problem with a bundled catalog: missing, unreadable, broken TOML.
    public static func checkBundled() throws(CatalogError) {
        for language in Language.allCases {
            if case .failure(let error)? = bundled[language] { throw error }
        }
    }

    // MARK: Words

    /// The text of `id` with its parameters filled in.
    public func text(_ id: String, _ arguments: [String: Phrase.Argument] = [:]) -> String {
        text(Phrase(id, arguments))
    }

    public func text(_ phrased: some Phrased) -> String { text(phrased.phrase) }

    public func text(_ phrase: Phrase) -> String {
        if let verbatim = phrase.verbatimText {
            if language != .da, case .text(let own)? = phrase.arguments[language.rawValue] { return own }
            return verbatim
        }
        guard let entry = entries[phrase.id] else { return phrase.id }
        let template: String
        switch entry {
        case .text(let text): template = text
        case .plural(let one, let other):
            let count: Double? =
                switch phrase.arguments["count"] {
                case .integer(let value)?: Double(value)
                case .decimal(let value)?: value
                default: nil
                }
            template = count == 1 ? one : other
        }
        return fill(template, phrase.arguments)
    }

    /// `{name}` replaced by its argument; `{{` and `}}` are braces; an unknown parameter is left as written.
    func fill(_ template: String, _ arguments: [String: Phrase.Argument]) -> String {
        guard template.contains("{") else { return template }
        var result = ""
        var index = template.startIndex
        while index < template.endIndex {
            let character = template[index]
            if character == "{" {
                let next = template.index(after: index)
                if next < template.endIndex, template[next] == "{" {
                    result.append("{")
                    index = template.index(after: next)
                    continue
                }
                if let close = template[next...].firstIndex(of: "}") {
                    let name = String(template[next..<close])
                    if let argument = arguments[name] {
                        result += words(argument)
                    } else {
                        result += "{" + name + "}"
                    }
                    index = template.index(after: close)
                    continue
                }
            } else if character == "}" {
                let next = template.index(after: index)
                if next < template.endIndex, template[next] == "}" {
                    result.append("}")
                    index = template.index(after: next)
                    continue
                }
            }
            result.append(character)
            index = template.index(after: index)
        }
        return result
    }

    func words(_ argument: Phrase.Argument) -> String {
        switch argument {
        case .text(let text): return text
        case .integer(let value): return String(value)
        case .decimal(let value): return number(value)
        case .seconds(let value): return seconds(value)
        case .phrase(let phrase): return text(phrase)
        case .list(let phrases): return phrases.map(text).joined(separator: ", ")
        }
    }

    /// At most two decimals, trailing zeros dropped, with the language's decimal mark: 92, 8,5 / 8.5, 4,25 / 4.25.
    /// Integer arithmetic, no `String(format:)` (slow on Linux, and an overview formats thousands of values).
    public func number(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e12 else { return String(value) }
        let mark = language == .da ? "," : "."
        let hundredths = Int64((value * 100).rounded())
        let sign = hundredths < 0 ? "-" : ""
        let magnitude = abs(hundredths)
        let whole = magnitude / 100
        let fraction = magnitude % 100
        if fraction == 0 { return sign + String(whole) }
        if fraction % 10 == 0 { return sign + String(whole) + mark + String(fraction / 10) }
        return sign + String(whole) + mark + (fraction < 10 ? "0" : "") + String(fraction)
    }

    /// A time limit as people say it: "800 ms", "2 s", "1,5 s" / "1.5 s".
    public func seconds(_ value: Double) -> String {
        if value < 1 { return "\(Int((value * 1000).rounded())) ms" }
        return number(value) + " s"
    }
}

/// A catalog file that cannot be used, with where.
public struct CatalogError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let message: String

    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(message)" }
}

extension Phrase {
    /// In Danish from the bundled catalog: for logs, error output and tests (a user's screen goes through the
    /// catalog of the user's language).
    public var danish: String { Catalog.danish.text(self) }
}
