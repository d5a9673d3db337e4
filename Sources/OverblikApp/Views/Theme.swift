import Assets
import Federation
import Foundation
import TOMLKit
import Terminal
import Words

/// The colours of each role per colour tier, from `Assets/themes/<name>.toml` (the user's
/// `~/.config/overblik/themes/<name>.toml` on top). Without colour (`NO_COLOR`, a terminal without colours) only
/// bold, reverse and underline remain, and every state is also written in words, so nothing depends on colour.
public struct ThemeColors: Sendable, Equatable {
    public struct Role: Sendable, Equatable {
        var eight: TermColor?
        var rich: TermColor?
        var bold = false
        var dim = false
        var underline = false
        var reverse = false
        var dimOnEight = false
        var underlineWithoutColour = false
        /// Plain without colour (a dim text or a frame has no other emphasis to fall back on).
        var colourOnly = false
    }

    public static let roles = [
        "title", "header", "dim", "frame", "active_frame", "ok", "warning", "error", "flag", "key", "selected", "bar",
        "input",
    ]

    var roles: [String: Role]

    /// The bundled default theme (empty when it cannot be read: `checkBundled` says why, at start).
    public static let standard: ThemeColors = (try? bundledDefault.get()) ?? ThemeColors(roles: [:])

    static let bundledDefault = Result<ThemeColors, ThemeError> { () throws(ThemeError) -> ThemeColors in
        try ThemeColors(roles: [:]).merged(with: bundledText("default"), file: "themes/default.toml")
    }

    public static func checkBundled() throws(ThemeError) { _ = try bundledDefault.get() }

    /// The names of the bundled themes ("default", "high-contrast").
    public static var bundledNames: [String] {
        AssetFiles.files(in: "themes").filter { $0.hasSuffix(".toml") }.map { String($0.dropLast(5)) }
    }

    static func bundledText(_ name: String) throws(ThemeError) -> String {
        do throws(AssetError) { return try AssetFiles.text("themes/\(name).toml") } catch {
            throw ThemeError(file: "themes/\(name).toml", line: nil, message: error.description)
        }
    }

    /// The theme called `name`: the default, then the bundled theme of that name, then the user's file of that name
    /// (`$XDG_CONFIG_HOME/overblik/themes/<name>.toml`); an unknown name is an error that lists the known ones.
    public static func named(
        _ name: String, environment: [String: String] = ProcessInfo.processInfo.environment
    )
        throws(ThemeError) -> ThemeColors
    {
        var theme = try bundledDefault.get()
        guard name != "default" else { return theme }
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), !name.isEmpty else {
            throw ThemeError(file: name, line: nil, message: "a theme name has letters, digits, - and _ only")
        }
        var found = false
        if bundledNames.contains(name) {
            theme = try theme.merged(with: bundledText(name), file: "themes/\(name).toml")
            found = true
        }
        let base =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        let path = base + "/overblik/themes/\(name).toml"
        if let data = FileManager.default.contents(atPath: path) {
            guard let text = String(data: data, encoding: .utf8) else {
                throw ThemeError(file: path, line: nil, message: "is not UTF-8 text")
            }
            theme = try theme.merged(with: text, file: path)
            found = true
        }
        guard found else {
            throw ThemeError(
                file: path, line: nil,
                message: "no theme '\(name)' (bundled: \(bundledNames.joined(separator: ", ")); or write \(path))")
        }
        return theme
    }

    /// These roles with the ones `text` sets replaced (a role it leaves out keeps its colours).
    public func merged(with text: String, file: String) throws(ThemeError) -> ThemeColors {
        let table: TOMLTable
        do throws(TOMLDocument.Problem) {
            table = try TOMLDocument.parse(text)
        } catch {
            throw ThemeError(file: file, line: error.line, message: error.message)
        }
        var roles = self.roles
        for name in table.keys {
            let line = Self.line(of: "[\(name)]", in: text)
            guard Self.roles.contains(name), let entry = table[name]?.table else {
                throw ThemeError(
                    file: file, line: line, message: "unknown role [\(name)] (known: \(Self.roles.joined(separator: ", ")))")
            }
            var role = Role()
            for key in entry.keys {
                let value = entry[key]
                switch key {
                case "eight": role.eight = try Self.color(value, file: file, line: line, role: name)
                case "rich": role.rich = try Self.color(value, file: file, line: line, role: name)
                case "bold", "dim", "underline", "reverse", "dim_on_eight", "underline_without_colour", "colour_only":
                    guard let flag = value?.bool else {
                        throw ThemeError(file: file, line: line, message: "[\(name)] \(key) must be true or false")
                    }
                    switch key {
                    case "bold": role.bold = flag
                    case "dim": role.dim = flag
                    case "underline": role.underline = flag
                    case "reverse": role.reverse = flag
                    case "dim_on_eight": role.dimOnEight = flag
                    case "underline_without_colour": role.underlineWithoutColour = flag
                    default: role.colourOnly = flag
                    }
                default:
                    throw ThemeError(file: file, line: line, message: "unknown setting '\(key)' in [\(name)]")
                }
            }
            roles[name] = role
        }
        return ThemeColors(roles: roles)
    }

    static let names: [String: TermColor] = [
        "black": .black, "red": .red, "green": .green, "yellow": .yellow, "blue": .blue, "magenta": .magenta,
        "cyan": .cyan, "white": .white,
    ]

    static func color(
        _ value: (any TOMLValueConvertible)?, file: String, line: Int?, role: String
    ) throws(ThemeError)
        -> TermColor
    {
        if let number = value?.int, (0...255).contains(number) { return .palette(number) }
        if let name = value?.string, let color = names[name.lowercased()] { return color }
        throw ThemeError(
            file: file, line: line,
            message: "[\(role)]: a colour is a palette number 0-255 or one of \(names.keys.sorted().joined(separator: ", "))")
    }

    static func line(of header: String, in text: String) -> Int? {
        text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex {
            $0.trimmingCharacters(in: .whitespaces).hasPrefix(header)
        }.map { $0 + 1 }
    }

    /// A role as a style on a tier.
    func style(_ name: String, _ tier: ColorTier) -> Style {
        guard let role = roles[name] else { return .plain }
        switch tier {
        case .none:
            if role.colourOnly { return .plain }
            return Style(
                bold: role.bold, reverse: role.reverse, underline: role.underline || role.underlineWithoutColour,
                dim: role.dim)
        case .eight, .sixteen:
            return Style(
                foreground: role.eight, bold: role.bold, reverse: role.reverse, underline: role.underline,
                dim: role.dim || role.dimOnEight && tier == .eight)
        case .twoFiftySix:
            return Style(
                foreground: role.rich ?? role.eight, bold: role.bold, reverse: role.reverse, underline: role.underline,
                dim: role.dim)
        }
    }
}

/// A theme file that cannot be used, with where (in English: it names TOML keys).
public struct ThemeError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let message: String

    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(message)" }
}

/// Semantic styles for a colour tier, from the theme's colours.
struct Theme {
    let tier: ColorTier
    let colors: ThemeColors

    init(tier: ColorTier, colors: ThemeColors = .standard) {
        self.tier = tier
        self.colors = colors
    }

    var plain: Style { .plain }
    var title: Style { colors.style("title", tier) }
    var header: Style { colors.style("header", tier) }
    var dim: Style { colors.style("dim", tier) }
    var selected: Style { colors.style("selected", tier) }
    var frame: Style { colors.style("frame", tier) }
    var activeFrame: Style { colors.style("active_frame", tier) }
    var ok: Style { colors.style("ok", tier) }
    var warning: Style { colors.style("warning", tier) }
    var error: Style { colors.style("error", tier) }
    var flag: Style { colors.style("flag", tier) }
    var key: Style { colors.style("key", tier) }
    var bar: Style { colors.style("bar", tier) }
    var input: Style { colors.style("input", tier) }

    func state(_ state: SourceStatus.State) -> Style {
        switch state {
        case .ok, .cached: return ok
        case .notFound, .loading: return dim
        case .stale: return warning
        case .timedOut, .error, .denied: return error
        case .withheld: return warning
        }
    }
}
