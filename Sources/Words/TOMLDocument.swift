import Foundation
import TOMLKit

/// Every TOML file the programs read (the sources registry, a node's configuration, the catalogs, a user's keymap and
/// theme) goes through here first. TOML allows no control characters but tab and line ends, and toml++ (under
/// TOMLKit) asserts on a control character or a stray character in a table header (`[\u{15}source]]`, `[\u{FFFD}a]`),
/// which aborts a debug build and is undefined behaviour in a release build: both are refused here, with the line,
/// before TOMLKit sees the text (found by fuzzing, `tomlRegistry` and `userConfig`).
public enum TOMLDocument {
    public enum Problem: Error, Sendable, Equatable {
        /// A control character (`code` as four hex digits) on `line`.
        case controlCharacter(line: Int, code: String)
        /// `[` not followed by a table name on `line`.
        case tableName(line: Int)
        /// A value that starts with what ends one (`[}`, `[,`, `,,`, `= ]`) on `line`.
        case missingValue(line: Int)
        /// TOMLKit's own complaint, with its line when it has one.
        case invalid(line: Int?, message: String)

        /// The problem in English (the keymap's and the themes' errors name TOML keys, which are English anyway).
        public var message: String {
            switch self {
            case .controlCharacter(_, let code): return "the control character U+\(code) is not allowed in TOML"
            case .tableName: return "'[' must be followed by a table name"
            case .missingValue: return "a value is missing (after '=', '[' or ',')"
            case .invalid(_, let message): return "invalid TOML: \(message)"
            }
        }

        /// The line it is on, when known.
        public var line: Int? {
            switch self {
            case .controlCharacter(let line, _), .tableName(let line), .missingValue(let line): return line
            case .invalid(let line, _): return line
            }
        }
    }

    /// The table of `text`, or the first problem.
    public static func parse(_ text: String) throws(Problem) -> TOMLTable {
        var lineNumber = 1
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: lineNumber += 1
            case 0x09, 0x0D: break
            case 0..<0x20, 0x7F: throw .controlCharacter(line: lineNumber, code: String(format: "%04X", scalar.value))
            default: break
            }
        }
        if let line = malformedTableHeader(in: text) { throw .tableName(line: line) }
        if let line = missingValue(in: text) { throw .missingValue(line: line) }
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw .invalid(line: error.source.begin.line, message: error.description)
        } catch {
            throw .invalid(line: nil, message: "\(error)")
        }
    }

    /// The line of a table header whose name does not start with a letter, digit, `-`, `_` or a quote
    /// (`[@source]]`, `[` and a line end), if any. toml++ (inside TOMLKit) asserts on such a header instead of
    /// reporting it, like the control characters above; a line starting with `[` is read as a header here, as toml++
    /// reads it.
    static func malformedTableHeader(in text: String) -> Int? {
        enum State { case lineStart, inLine, afterBracket, inHeader }
        var line = 1
        var state = State.lineStart
        for scalar in text.unicodeScalars {
            defer { if scalar == "\n" { line += 1 } }
            // What toml++ takes for line ends and blanks, Unicode's among them.
            let lineEnd = scalar == "\n" || scalar == "\r" || [0x85, 0x2028, 0x2029].contains(scalar.value)
            let blank =
                !lineEnd
                && (scalar == " " || scalar == "\t" || scalar.properties.isWhitespace || [0x180E, 0xFEFF].contains(scalar.value))
            switch state {
            case .lineStart:
                if lineEnd || blank { continue }
                state = scalar == "[" ? .afterBracket : .inLine
            case .inLine:
                if lineEnd { state = .lineStart }
            case .afterBracket, .inHeader:
                if scalar == "[", state == .afterBracket {
                    state = .inHeader
                } else if blank {
                    state = .inHeader
                } else if scalar.isASCII,
                    scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_\"']".unicodeScalars.contains(scalar)
                {
                    state = .inLine
                } else {
                    // Another character, or the end of the line (`[` and a newline: the same assertion).
                    return line
                }
            }
        }
        return state == .afterBracket || state == .inHeader ? line : nil
    }

    /// The line where a value should start, after `=`, `[` or `,` (and blanks, line ends and comments), but what
    /// comes is `}` or `,` (or, after `=`, `]`): `[}`, `[,`, `[1,,2]`, `a = ]`. All of them are invalid TOML, and
    /// toml++ (inside TOMLKit) asserts on them instead of reporting them (fuzzing, `tomlRegistry`: `fhir = [}`).
    /// Strings and comments are skipped as TOML has them.
    static func missingValue(in text: String) -> Int? {
        let scalars = Array(text.unicodeScalars)
        var index = 0
        var line = 1
        var expecting = false
        var afterEquals = false
        func blank(_ scalar: Unicode.Scalar) -> Bool {
            scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.properties.isWhitespace
                || [0x180E, 0xFEFF].contains(scalar.value)
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "#" {
                // A comment runs to the line end (which is counted below).
                while index < scalars.count, scalars[index] != "\n" { index += 1 }
                continue
            }
            if scalar == "\"" || scalar == "'" {
                expecting = false
                let triple = index + 2 < scalars.count && scalars[index + 1] == scalar && scalars[index + 2] == scalar
                index += triple ? 3 : 1
                while index < scalars.count {
                    let current = scalars[index]
                    if current == "\n" {
                        // An unclosed one-line string: TOMLKit reports it; the line end is counted below.
                        if !triple { break }
                        line += 1
                    }
                    if scalar == "\"", current == "\\" {
                        if index + 1 < scalars.count, scalars[index + 1] == "\n" { line += 1 }
                        index += 2
                        continue
                    }
                    if current == scalar {
                        if !triple {
                            index += 1
                            break
                        }
                        if index + 2 < scalars.count, scalars[index + 1] == scalar, scalars[index + 2] == scalar {
                            index += 3
                            break
                        }
                    }
                    index += 1
                }
                continue
            }
            if scalar == "\n" { line += 1 }
            if expecting, !blank(scalar) {
                if scalar == "}" || scalar == "," || (afterEquals && scalar == "]") { return line }
                expecting = false
            }
            if scalar == "[" || scalar == "," || scalar == "=" {
                expecting = true
                afterEquals = scalar == "="
            }
            index += 1
        }
        return nil
    }
}
