/// A terminal colour: one of the 16 ANSI colours, or an index into the 256-colour palette.
public enum TermColor: Hashable, Sendable {
    case black, red, green, yellow, blue, magenta, cyan, white
    case brightBlack, brightRed, brightGreen, brightYellow, brightBlue, brightMagenta, brightCyan, brightWhite
    case palette(Int)

    /// The curses colour number.
    public var index: Int {
        switch self {
        case .black: return 0
        case .red: return 1
        case .green: return 2
        case .yellow: return 3
        case .blue: return 4
        case .magenta: return 5
        case .cyan: return 6
        case .white: return 7
        case .brightBlack: return 8
        case .brightRed: return 9
        case .brightGreen: return 10
        case .brightYellow: return 11
        case .brightBlue: return 12
        case .brightMagenta: return 13
        case .brightCyan: return 14
        case .brightWhite: return 15
        case .palette(let n): return n
        }
    }

    var name: String {
        switch self {
        case .palette(let n): return "p\(n)"
        default: return String(describing: self)
        }
    }
}
