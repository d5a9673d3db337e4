/// How many colours the terminal has, from terminfo; `NO_COLOR` (any value) means none.
public enum ColorTier: Int, Sendable, Comparable {
    case none = 0
    case eight = 8
    case sixteen = 16
    case twoFiftySix = 256

    public static func < (lhs: ColorTier, rhs: ColorTier) -> Bool { lhs.rawValue < rhs.rawValue }

    public static func from(colors: Int, environment: [String: String]) -> ColorTier {
        if environment["NO_COLOR"] != nil { return .none }
        switch colors {
        case 256...: return .twoFiftySix
        case 16...: return .sixteen
        case 8...: return .eight
        default: return .none
        }
    }
}
