/// Box drawing and sparkline characters: Unicode where the terminal can show it, ASCII otherwise (a non-UTF-8
/// locale, or TERM=linux/vt100).
public struct Glyphs: Sendable, Equatable {
    public let horizontal: Character
    public let vertical: Character
    public let topLeft: Character
    public let topRight: Character
    public let bottomLeft: Character
    public let bottomRight: Character
    public let selected: Character
    public let bullet: Character
    public let sparks: [Character]
    public let ellipsis: String
    public let isUnicode: Bool

    public static let unicode = Glyphs(
        horizontal: "─", vertical: "│", topLeft: "┌", topRight: "┐", bottomLeft: "└", bottomRight: "┘", selected: "▶",
        bullet: "•", sparks: Array("▁▂▃▄▅▆▇█"), ellipsis: "…", isUnicode: true)

    public static let ascii = Glyphs(
        horizontal: "-", vertical: "|", topLeft: "+", topRight: "+", bottomLeft: "+", bottomRight: "+", selected: ">",
        bullet: "*", sparks: Array("_.-=+*#@"), ellipsis: "...", isUnicode: false)

    /// Unicode unless the locale is not UTF-8 or the terminal is a Linux console or a VT100.
    public static func choose(utf8: Bool, term: String?) -> Glyphs {
        guard utf8 else { return .ascii }
        if let term, term == "linux" || term.hasPrefix("vt100") || term.hasPrefix("vt220") || term == "dumb" { return .ascii }
        return .unicode
    }

    /// A sparkline of values scaled between their minimum and maximum.
    public func sparkline(_ values: [Double]) -> String {
        guard let low = values.min(), let high = values.max() else { return "" }
        let span = high - low
        return String(
            values.map { value in
                let index = span == 0 ? sparks.count / 2 : Int(((value - low) / span) * Double(sparks.count - 1) + 0.5)
                return sparks[min(max(index, 0), sparks.count - 1)]
            })
    }
}
