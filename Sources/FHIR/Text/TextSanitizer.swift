import Foundation

/// Makes untrusted text from a source safe for a terminal and a log: removes ANSI/VT escape sequences (CSI, OSC,
/// DCS and single-character escapes, in their 7-bit and 8-bit forms), C0 and C1 control characters, DEL and the
/// Unicode direction controls that can make text display differently from what it says (U+202A–202E, U+2066–2069,
/// U+200E, U+200F, U+061C), and caps the length. Newlines survive in multi-line text; tabs become spaces.
public enum TextSanitizer {
    public static let defaultMaxLength = 20_000

    /// Multi-line text (notes, letters): newlines are kept, CR LF and lone CR become LF.
    public static func clean(_ text: String, maxLength: Int = defaultMaxLength) -> String {
        sanitize(text, keepNewlines: true, maxLength: maxLength)
    }

    /// Text as XML or HTML character data (an XHTML narrative, a web page): `&`, `<`, `>`, `"` and `'` escaped,
    /// nothing passed through; what XML does not allow at all (control characters, U+FFFE, U+FFFF) and what could
    /// make it read differently (escape sequences, direction controls) removed first. Scalar by scalar: a combining
    /// mark after `<` makes one Character of the two, and is still a `<` to a parser.
    public static func markupEscaped(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in clean(text).unicodeScalars {
            switch scalar {
            case "\u{FFFE}", "\u{FFFF}": continue
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// One line (names, titles, codes): newlines become spaces.
    public static func cleanLine(_ text: String, maxLength: Int = 500) -> String {
        sanitize(text, keepNewlines: false, maxLength: maxLength)
    }

    /// True when `clean` would change nothing (except the length cap).
    public static func isClean(_ text: String) -> Bool {
        // Plain printable ASCII (most of any answer) is decided from the bytes alone.
        var ascii = true
        for byte in text.utf8 {
            if byte < 0x20 || byte == 0x7F { return false }
            if byte >= 0x80 {
                ascii = false
                break
            }
        }
        if ascii { return true }
        return !text.unicodeScalars.contains { isControl($0.value) || isDirectionControl($0.value) || $0.value == 0x1B }
    }

    /// False when `clean` and `cleanLine` with this limit certainly return the text as it is.
    static func mayChange(_ text: String, maxLength: Int) -> Bool {
        !((text.utf8.count <= maxLength || text.count <= maxLength) && isClean(text))
    }

    static func isControl(_ value: UInt32) -> Bool {
        value < 0x20 || value == 0x7F || (0x80...0x9F).contains(value)
    }

    static func isDirectionControl(_ value: UInt32) -> Bool {
        (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value) || value == 0x200E || value == 0x200F
            || value == 0x061C
    }

    private enum State {
        case text
        case escape  // after ESC
        case csi  // ESC [ or U+009B: parameters until a final byte 0x40–0x7E
        case string  // OSC, DCS, SOS, PM, APC: until BEL or ST (ESC \ or U+009C)
        case stringEscape  // ESC inside a string: ESC \ ends it
    }

    static func sanitize(_ text: String, keepNewlines: Bool, maxLength: Int) -> String {
        // Fast path (most text): nothing to remove and short enough; UTF-8 length bounds the character count.
        if text.utf8.count <= maxLength || text.count <= maxLength, isClean(text) { return text }
        var out = String.UnicodeScalarView()
        var state = State.text
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            let value = scalar.value
            switch state {
            case .escape:
                switch value {
                case 0x5B: state = .csi  // [
                case 0x5D, 0x50, 0x58, 0x5E, 0x5F: state = .string  // ] P X ^ _
                default: state = .text  // a two-character escape: drop both
                }
                continue
            case .csi:
                if (0x40...0x7E).contains(value) { state = .text }
                continue
            case .string:
                if value == 0x07 || value == 0x9C {
                    state = .text
                } else if value == 0x1B {
                    state = .stringEscape
                }
                continue
            case .stringEscape:
                state = value == 0x5C ? .text : .string
                continue
            case .text:
                break
            }
            switch value {
            case 0x1B:
                state = .escape
                previousWasCR = false
            case 0x9B:
                state = .csi
            case 0x90, 0x98, 0x9D, 0x9E, 0x9F:
                state = .string
            case 0x0D:
                out.append(keepNewlines ? "\n" : " ")
                previousWasCR = true
                continue
            case 0x0A:
                if !previousWasCR { out.append(keepNewlines ? "\n" : " ") }
            case 0x09:
                out.append(" ")
            default:
                if !isControl(value) && !isDirectionControl(value) { out.append(scalar) }
            }
            previousWasCR = false
        }
        var result = String(out)
        if !keepNewlines {
            while result.contains("  ") { result = result.replacingOccurrences(of: "  ", with: " ") }
            result = result.trimmingCharacters(in: .whitespaces)
        }
        if result.count > maxLength {
            result = String(result.prefix(max(0, maxLength - 1))) + "…"
        }
        return result
    }
}
