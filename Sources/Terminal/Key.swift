import CNCursesW

/// A key press, decoded from curses.
public enum Key: Hashable, Sendable {
    case character(Character)
    case control(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    case function(Int)
    case resize

    /// Decodes what `get_wch` returned: `isKeyCode` for KEY_CODE_YES.
    public static func decode(_ value: UInt32, isKeyCode: Bool) -> Key? {
        if isKeyCode {
            switch Int32(value) {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_NPAGE: return .pageDown
            case KEY_PPAGE: return .pageUp
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_ENTER: return .enter
            case KEY_BACKSPACE: return .backspace
            case KEY_DC: return .delete
            case KEY_BTAB: return .backTab
            case KEY_RESIZE: return .resize
            default:
                for n in 1...12 where Int32(value) == ob_key_f(Int32(n)) { return .function(n) }
                return nil
            }
        }
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .control(Character(UnicodeScalar(value + 96)!))
        default:
            guard let scalar = UnicodeScalar(value), value >= 32 else { return nil }
            return .character(Character(scalar))
        }
    }

    /// A key by the name a keymap file gives it: a single character ("k", "?"), or Space, Enter, Esc, Tab,
    /// Shift-Tab, Up, Down, Left, Right, Home, End, PgUp, PgDn, Backspace, Delete, F1-F12, Ctrl-A ... Ctrl-Z (case
    /// does not matter in names, it does in single characters); nil for anything else.
    public init?(name: String) {
        if name.count == 1, let character = name.first, !character.isWhitespace, !character.isNewline,
            character.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0 != "\u{7F}" })
        {
            self = .character(character)
            return
        }
        let lower = name.lowercased()
        let named: [String: Key] = [
            "space": .character(" "), "enter": .enter, "return": .enter, "esc": .escape, "escape": .escape, "tab": .tab,
            "shift-tab": .backTab, "backtab": .backTab, "up": .up, "down": .down, "left": .left, "right": .right,
            "home": .home, "end": .end, "pgup": .pageUp, "pageup": .pageUp, "pgdn": .pageDown, "pagedown": .pageDown,
            "backspace": .backspace, "delete": .delete, "del": .delete,
        ]
        if let key = named[lower] {
            self = key
            return
        }
        if lower.hasPrefix("f"), let number = Int(lower.dropFirst()), (1...12).contains(number) {
            self = .function(number)
            return
        }
        if lower.hasPrefix("ctrl-"), lower.count == 6, let letter = lower.last, letter.isASCII, letter.isLetter {
            self = .control(letter)
            return
        }
        return nil
    }

    /// How the key is named in help: "k", "Ctrl-C", "PgDn", "Tab".
    public var label: String {
        switch self {
        case .character(" "): return "Space"
        case .character(let c): return String(c)
        case .control(let c): return "Ctrl-\(c.uppercased())"
        case .up: return "↑"
        case .down: return "↓"
        case .left: return "←"
        case .right: return "→"
        case .pageUp: return "PgUp"
        case .pageDown: return "PgDn"
        case .home: return "Home"
        case .end: return "End"
        case .enter: return "Enter"
        case .escape: return "Esc"
        case .tab: return "Tab"
        case .backTab: return "Shift-Tab"
        case .backspace: return "Backspace"
        case .delete: return "Delete"
        case .function(let n): return "F\(n)"
        case .resize: return "resize"
        }
    }
}
