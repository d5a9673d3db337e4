/// How a cell looks. Meaning is never carried by colour alone: every coloured state also has words or a symbol.
public struct Style: Hashable, Sendable {
    public var foreground: TermColor?
    public var background: TermColor?
    public var bold = false
    public var reverse = false
    public var underline = false
    public var dim = false

    public init(
        foreground: TermColor? = nil, background: TermColor? = nil, bold: Bool = false, reverse: Bool = false,
        underline: Bool = false, dim: Bool = false
    ) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
        self.dim = dim
    }

    public static let plain = Style()

    /// A short description for golden tests: `fg=red,bold`.
    public var summary: String {
        var parts: [String] = []
        if let foreground { parts.append("fg=\(foreground.name)") }
        if let background { parts.append("bg=\(background.name)") }
        if bold { parts.append("bold") }
        if reverse { parts.append("reverse") }
        if underline { parts.append("underline") }
        if dim { parts.append("dim") }
        return parts.isEmpty ? "plain" : parts.joined(separator: ",")
    }
}
