/// A grid of cells that views draw into; the backend copies it to the terminal. Pure data: views can be tested by
/// reading the grid back as text.
public struct Screen: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]
    /// Where the cursor should be shown (for text input), or nil for hidden.
    public var cursor: (x: Int, y: Int)?

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public static func == (lhs: Screen, rhs: Screen) -> Bool {
        lhs.width == rhs.width && lhs.height == rhs.height && lhs.cells == rhs.cells && lhs.cursor?.x == rhs.cursor?.x
            && lhs.cursor?.y == rhs.cursor?.y
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes text from (x, y), clipped at `maxWidth` columns (and the screen edge). Returns the columns used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var column = x
        for character in text {
            let w = DisplayWidth.of(character)
            if w == 0 { continue }
            if column + w > limit { break }
            if column >= 0 {
                // Overwriting half of a wide character leaves a blank, never half a glyph.
                if self[column, y].continuation, column > 0 { self[column - 1, y] = Cell(" ", style: self[column - 1, y].style) }
                self[column, y] = Cell(character, style: style)
                if w == 2 { self[column + 1, y] = Cell(" ", style: style, continuation: true) }
                if column + w < width, self[column + w, y].continuation { self[column + w, y] = Cell(" ", style: style) }
            }
            column += w
        }
        return column - x
    }

    /// Fills a rectangle with a character and style.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, _ character: Character = " ", style: Style = .plain) {
        for row in max(0, y)..<min(height, y + h) {
            for column in max(0, x)..<min(width, x + w) {
                self[column, row] = Cell(character, style: style)
            }
        }
    }

    /// A frame around a rectangle, with an optional title in its top edge.
    public mutating func box(
        x: Int, y: Int, width w: Int, height h: Int, glyphs: Glyphs, style: Style = .plain, title: String? = nil,
        titleStyle: Style? = nil
    ) {
        guard w >= 2, h >= 2 else { return }
        put(
            String(glyphs.topLeft) + String(repeating: glyphs.horizontal, count: w - 2) + String(glyphs.topRight), x: x, y: y,
            style: style)
        for row in (y + 1)..<(y + h - 1) {
            put(String(glyphs.vertical), x: x, y: row, style: style)
            put(String(glyphs.vertical), x: x + w - 1, y: row, style: style)
        }
        put(
            String(glyphs.bottomLeft) + String(repeating: glyphs.horizontal, count: w - 2) + String(glyphs.bottomRight), x: x,
            y: y + h - 1, style: style)
        if let title, w > 4 {
            put(" " + DisplayWidth.truncate(title, to: w - 4) + " ", x: x + 1, y: y, style: titleStyle ?? style, maxWidth: w - 2)
        }
    }

    /// The grid as text lines (wide characters once), trailing spaces kept so sizes are visible.
    public var lines: [String] {
        (0..<height).map { y in
            var line = ""
            for x in 0..<width where !self[x, y].continuation { line.append(self[x, y].character) }
            return line
        }
    }

    public var text: String { lines.joined(separator: "\n") }

    /// The styles as letters per cell plus a legend, for golden tests of colour.
    public var styleMap: String {
        var legend: [Style: Character] = [.plain: "."]
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var rows: [String] = []
        for y in 0..<height {
            var row = ""
            for x in 0..<width {
                let style = self[x, y].style
                if legend[style] == nil { legend[style] = letters[min(letters.count - 1, legend.count - 1)] }
                row.append(legend[style]!)
            }
            rows.append(row)
        }
        let key = legend.sorted { $0.value < $1.value }.map { "\($0.value) \($0.key.summary)" }
        return rows.joined(separator: "\n") + "\n--\n" + key.joined(separator: "\n")
    }
}
