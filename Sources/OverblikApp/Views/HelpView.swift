import Assets
import Foundation
import Terminal
import Words

/// The keys, generated from the keymap: for the screen help was opened from first, then for all screens.
enum HelpView {
    static func draw(_ screen: inout Screen, _ model: Model, _ theme: Theme) {
        Chrome.titleBar(&screen, model.strings.helpTitle, model, theme)
        let strings = model.strings
        let from = model.stack.dropLast().last ?? .search
        var lines: [(String, String)] = []
        for binding in model.keymap.bindings where binding.screens.isEmpty || binding.screens.contains(from) {
            // On the search screen letters are typed into the field: only the other keys of a binding work there.
            let usable = binding.keys.filter { from != .search || !Keymap.typedOnSearch($0, inputEmpty: true) }
            guard !usable.isEmpty else { continue }
            let keys = usable.map { label($0, model.glyphs, strings) }.joined(separator: " / ")
            lines.append((keys, binding.action.describe(strings)))
        }
        lines.append(("", ""))
        lines.append((":p CPR", strings.text("help.open-patient")))
        lines.append(
            (
                strings.text("help.commands"), strings.text("help.commands-hint")
            ))
        let keyWidth = min(24, max(12, screen.width / 4))
        // What the words on the screens mean (Assets/help/<language>.md), under the keys.
        if let guide = guide[model.language], !guide.isEmpty {
            lines.append(("", ""))
            for paragraph in guide {
                for line in DisplayWidth.wrap(paragraph, to: max(10, screen.width - keyWidth - 3)) { lines.append(("", line)) }
            }
        }
        let rows = screen.height - 3
        let offset = min(model.help.scroll, max(0, lines.count - rows))
        for (row, line) in lines.dropFirst(offset).prefix(rows).enumerated() {
            screen.put(" " + line.0, x: 1, y: 2 + row, style: theme.key, maxWidth: keyWidth)
            screen.put(line.1, x: keyWidth + 2, y: 2 + row, style: theme.plain, maxWidth: screen.width - keyWidth - 3)
        }
    }

    /// The paragraphs of `Assets/help/da.md` and `en.md`, read once.
    static let guide: [Language: [String]] = Dictionary(
        uniqueKeysWithValues: Language.allCases.map { language in
            let text = (try? AssetFiles.text("help/\(language.rawValue).md")) ?? ""
            return (language, text.split(separator: "\n").map(String.init).filter { !$0.isEmpty })
        })

    static func label(_ key: Key, _ glyphs: Glyphs, _ strings: Strings) -> String {
        if key == .character(" ") { return strings.text("key.space") }
        guard !glyphs.isUnicode else { return key.label }
        switch key {
        case .up: return "Up"
        case .down: return "Down"
        case .left: return "Left"
        case .right: return "Right"
        default: return key.label
        }
    }
}
