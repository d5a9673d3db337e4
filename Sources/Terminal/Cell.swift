/// One column of the screen. A wide character occupies its cell and a `continuation` cell after it.
public struct Cell: Hashable, Sendable {
    public var character: Character
    public var style: Style
    public var continuation: Bool

    public init(_ character: Character = " ", style: Style = .plain, continuation: Bool = false) {
        self.character = character
        self.style = style
        self.continuation = continuation
    }

    public static let blank = Cell()
}
