import Terminal

/// The line-editing keys of every input field (search, filter, command line), as readline and every shell have
/// them: Ctrl-U clears the line, Ctrl-W removes the word before the cursor (and the blanks after it).
enum LineEditing {
    static func erase(_ key: Key, in text: String) -> String {
        switch key {
        case .control("u"):
            return ""
        case .control("w"):
            var rest = Substring(text)
            while rest.last == " " { rest.removeLast() }
            while let last = rest.last, last != " " { rest.removeLast() }
            return String(rest)
        default:
            return text
        }
    }
}
