import Assets
import Foundation
import TOMLKit
import Terminal
import Words

/// Which key does what, per screen: read from `Assets/keymap.toml`, with the user's own keys from
/// `~/.config/overblik/keymap.toml` on top. The help screen and the footer are generated from it, so they are never
/// out of date.
public struct Keymap: Sendable {
    public struct Binding: Sendable {
        public let keys: [Key]
        public let action: Action
        /// Empty: on every screen.
        public let screens: [ScreenID]
    }

    public let bindings: [Binding]

    public init(bindings: [Binding]) {
        self.bindings = bindings
    }

    /// The bundled keys (empty when the asset cannot be read; `checkBundled` says why, at start).
    public static let standard: Keymap = (try? bundled.get()) ?? Keymap(bindings: [])

    static let bundled = Result<Keymap, KeymapError> { () throws(KeymapError) -> Keymap in
        let text: String
        do throws(AssetError) { text = try AssetFiles.text("keymap.toml") } catch {
            throw KeymapError(file: "keymap.toml", line: nil, message: error.description)
        }
        return try parse(text, file: "keymap.toml")
    }

    /// Throws what is wrong with the bundled keymap (missing or broken).
    public static func checkBundled() throws(KeymapError) { _ = try bundled.get() }

    /// `$XDG_CONFIG_HOME/overblik/keymap.toml`, else `~/.config/overblik/keymap.toml`.
    public static func userPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let base =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        return base + "/overblik/keymap.toml"
    }

    /// The bundled keys with the user's file on top, if there is one; an error names the file and line.
    public static func forUser(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KeymapError)
        -> Keymap
    {
        let base = try bundled.get()
        let path = userPath(environment: environment)
        guard FileManager.default.fileExists(atPath: path) else { return base }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw KeymapError(file: path, line: nil, message: "cannot be read (not UTF-8, or no permission)")
        }
        return try base.overridden(by: text, file: path)
    }

    /// The default keymap: `action = { keys = [...], screens = [...] }` per action; every action must be there.
    public static func parse(_ text: String, file: String) throws(KeymapError) -> Keymap {
        let table = try toml(text, file: file)
        var bindings: [Binding] = []
        for name in table.keys {
            let line = line(of: name, in: text)
            guard let action = Action(rawValue: name) else { throw unknownAction(name, file: file, line: line) }
            guard let entry = table[name]?.table else {
                throw KeymapError(file: file, line: line, message: "'\(name)' must be { keys = [...], screens = [...] }")
            }
            for key in entry.keys where !["keys", "screens"].contains(key) {
                throw KeymapError(file: file, line: line, message: "unknown key '\(key)' (known: keys, screens)")
            }
            let keys = try self.keys(entry["keys"], of: name, file: file, line: line)
            var screens: [ScreenID] = []
            if let list = entry["screens"] {
                guard let array = list.array else {
                    throw KeymapError(file: file, line: line, message: "'screens' of '\(name)' must be a list")
                }
                for index in 0..<array.count {
                    guard let text = array[index].string, let screen = ScreenID(rawValue: text) else {
                        throw KeymapError(
                            file: file, line: line,
                            message:
                                "unknown screen in '\(name)' (known: \(ScreenID.allCases.map(\.rawValue).joined(separator: ", ")))"
                        )
                    }
                    screens.append(screen)
                }
            }
            bindings.append(Binding(keys: keys, action: action, screens: screens))
        }
        let missing = Action.allCases.filter { action in !bindings.contains { $0.action == action } }
        if !missing.isEmpty {
            throw KeymapError(
                file: file, line: nil, message: "no keys for \(missing.map(\.rawValue).joined(separator: ", "))")
        }
        // In the order of Action, which is the order help shows.
        let ordered = Action.allCases.compactMap { action in bindings.first { $0.action == action } }
        let keymap = Keymap(bindings: ordered)
        try keymap.checkConflicts(file: file, text: text)
        return keymap
    }

    /// This keymap with the user's keys: `action = ["key", ...]` replaces that action's keys (its screens stay).
    public func overridden(by text: String, file: String) throws(KeymapError) -> Keymap {
        let table = try Self.toml(text, file: file)
        var bindings = self.bindings
        for name in table.keys {
            let line = Self.line(of: name, in: text)
            guard let action = Action(rawValue: name), let index = bindings.firstIndex(where: { $0.action == action })
            else { throw Self.unknownAction(name, file: file, line: line) }
            let keys = try Self.keys(table[name], of: name, file: file, line: line)
            bindings[index] = Binding(keys: keys, action: action, screens: bindings[index].screens)
        }
        let keymap = Keymap(bindings: bindings)
        try keymap.checkConflicts(file: file, text: text)
        return keymap
    }

    /// A key that two actions would share on one screen is an error naming the later one's line.
    public func checkConflicts(file: String, text: String) throws(KeymapError) {
        for (i, first) in bindings.enumerated() {
            for second in bindings[(i + 1)...] {
                let shared =
                    first.screens.isEmpty || second.screens.isEmpty || !Set(first.screens).isDisjoint(with: second.screens)
                guard shared, let key = first.keys.first(where: second.keys.contains) else { continue }
                let line = Self.line(of: second.action.rawValue, in: text) ?? Self.line(of: first.action.rawValue, in: text)
                throw KeymapError(
                    file: file, line: line,
                    message:
                        "\(key.label) is bound to both \(first.action.rawValue) and \(second.action.rawValue) on the same screen")
            }
        }
    }

    static func keys(
        _ value: (any TOMLValueConvertible)?, of name: String, file: String, line: Int?
    ) throws(KeymapError)
        -> [Key]
    {
        guard let array = value?.array, array.count > 0 else {
            throw KeymapError(file: file, line: line, message: "'\(name)' needs a list of keys, for example [\"r\", \"F5\"]")
        }
        var keys: [Key] = []
        for index in 0..<array.count {
            guard let text = array[index].string, let key = Key(name: text) else {
                let shown = array[index].string.map { "'\($0.prefix(20))'" } ?? "a value that is not text"
                throw KeymapError(file: file, line: line, message: "\(shown) in '\(name)' is not a key name")
            }
            keys.append(key)
        }
        return keys
    }

    static func toml(_ text: String, file: String) throws(KeymapError) -> TOMLTable {
        do throws(TOMLDocument.Problem) {
            return try TOMLDocument.parse(text)
        } catch {
            throw KeymapError(file: file, line: error.line, message: error.message)
        }
    }

    static func unknownAction(_ name: String, file: String, line: Int?) -> KeymapError {
        KeymapError(
            file: file, line: line,
            message: "unknown action '\(name.prefix(40))' (known: \(Action.allCases.map(\.rawValue).joined(separator: ", ")))")
    }

    static func line(of key: String, in text: String) -> Int? {
        text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { line in
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            return trimmed.hasPrefix(key + " ") || trimmed.hasPrefix(key + "=")
        }.map { $0 + 1 }
    }

    /// On the search screen characters are typed into the search field, since a name may begin with any letter; only
    /// `?`, `:` and `/` are keys there, and only while the field is empty (no CPR number or name begins with them).
    public static func typedOnSearch(_ key: Key, inputEmpty: Bool) -> Bool {
        guard case .character(let c) = key else { return false }
        return !inputEmpty || !["?", ":", "/"].contains(c)
    }

    /// The action of a key on a screen, if any.
    public func action(for key: Key, on screen: ScreenID) -> Action? {
        bindings.first { $0.keys.contains(key) && ($0.screens.isEmpty || $0.screens.contains(screen)) }?.action
    }

    /// The keys that do `action` on `screen` (for the footer and help).
    public func keys(for action: Action, on screen: ScreenID) -> [Key] {
        bindings.first { $0.action == action && ($0.screens.isEmpty || $0.screens.contains(screen)) }?.keys ?? []
    }
}

/// A keymap file that cannot be used, with where. The message is English: it names TOML keys and key names, which
/// are English in every language.
public struct KeymapError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let message: String

    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(message)" }
}
