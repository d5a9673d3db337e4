import CNCursesW

/// How many terminal columns text takes, by `wcwidth` (the same table the terminal uses): Æ 1, 中 2, 😀 2,
/// combining marks 0. Call `TerminalLocale.setUp()` once first, so `wcwidth` knows UTF-8.
public enum DisplayWidth {
    public static func of(_ character: Character) -> Int {
        var width = 0
        for (offset, scalar) in character.unicodeScalars.enumerated() {
            let w = Int(ob_wcwidth(scalar.value))
            if offset == 0 {
                width = max(w, w < 0 ? 1 : 0)
            } else if scalar.properties.isEmojiPresentation || scalar.value == 0xFE0F {
                width = 2
            }
        }
        return min(max(width, 0), 2)
    }

    public static func of(_ text: String) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    /// The longest prefix that fits in `columns`, with `…` when cut.
    public static func truncate(_ text: String, to columns: Int, ellipsis: String = "…") -> String {
        guard columns > 0 else { return "" }
        if of(text) <= columns { return text }
        var result = ""
        var used = 0
        let room = columns - of(ellipsis)
        for character in text {
            let w = of(character)
            if used + w > room { break }
            result.append(character)
            used += w
        }
        return result + ellipsis
    }

    /// Pads with spaces (or cuts) to exactly `columns`.
    public static func pad(_ text: String, to columns: Int) -> String {
        let cut = truncate(text, to: columns)
        return cut + String(repeating: " ", count: max(0, columns - of(cut)))
    }

    /// Breaks text into lines of at most `columns`, at spaces where possible; keeps existing newlines.
    public static func wrap(_ text: String, to columns: Int) -> [String] {
        guard columns > 0 else { return [] }
        var lines: [String] = []
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = ""
            var lineWidth = 0
            for word in paragraph.split(separator: " ", omittingEmptySubsequences: false) {
                var word = String(word)
                var wordWidth = of(word)
                if lineWidth > 0, lineWidth + 1 + wordWidth > columns {
                    lines.append(line)
                    line = ""
                    lineWidth = 0
                }
                while wordWidth > columns {
                    // A word longer than the line is cut across lines.
                    var head = ""
                    var headWidth = 0
                    for character in word {
                        let w = of(character)
                        if headWidth + w > columns - lineWidth - (lineWidth > 0 ? 1 : 0) { break }
                        head.append(character)
                        headWidth += w
                    }
                    if head.isEmpty {
                        lines.append(line)
                        line = ""
                        lineWidth = 0
                        continue
                    }
                    line += (lineWidth > 0 ? " " : "") + head
                    lines.append(line)
                    line = ""
                    lineWidth = 0
                    word = String(word.dropFirst(head.count))
                    wordWidth = of(word)
                }
                if lineWidth > 0 {
                    line += " "
                    lineWidth += 1
                }
                line += word
                lineWidth += wordWidth
            }
            lines.append(line)
        }
        return lines
    }
}
