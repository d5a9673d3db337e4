import Foundation
import Terminal
import Testing

@testable import OverblikApp

/// The keys and colours come from `Assets/` and the user's own files; a mistake in a file is an error naming its
/// line, never a key that silently does nothing.
@Suite struct KeymapThemeTests {
    @Test func theBundledKeymapHasEveryActionAndTheUsualKeys() throws {
        try Keymap.checkBundled()
        let keys = Keymap.standard
        #expect(Set(keys.bindings.map(\.action)) == Set(Action.allCases))
        #expect(keys.action(for: .character("q"), on: .overview) == .quit)
        #expect(keys.action(for: .control("c"), on: .search) == .quit)
        #expect(keys.action(for: .character("t"), on: .overview) == .timeline)
        #expect(keys.action(for: .character("t"), on: .search) == nil, "t is typed on the search screen")
        #expect(keys.action(for: .character(" "), on: .detail) == .pageDown)
        #expect(keys.action(for: .backTab, on: .overview) == .previousPane)
    }

    @Test func aUsersFileReplacesTheKeysOfAnAction() throws {
        let mine = try Keymap.standard.overridden(by: "refresh = [\"Ctrl-R\", \"F5\"]\ntimeline = [\"T\"]\n", file: "mine")
        #expect(mine.action(for: .control("r"), on: .overview) == .refresh)
        #expect(mine.action(for: .character("r"), on: .overview) == nil, "r no longer refreshes")
        #expect(mine.action(for: .character("T"), on: .overview) == .timeline)
        #expect(mine.action(for: .character("t"), on: .overview) == nil)
        // The help screen is built from the keymap in use.
        var model = AppFixtures.bruno()
        model.keymap = mine
        _ = Update.update(&model, .key(.character("?")))
        #expect(View.render(model).text.contains("Ctrl-R / F5"))
    }

    @Test func mistakesNameTheLine() {
        func error(_ text: String) -> KeymapError? {
            do {
                _ = try Keymap.standard.overridden(by: text, file: "keymap.toml")
                return nil
            } catch { return error }
        }
        let conflict = error("# mine\n\nhelp = [\"?\"]\ntimeline = [\"L\"]\n")
        #expect(conflict?.line == 4, "\(String(describing: conflict))")
        #expect(conflict?.message.contains("L is bound to both") == true, "\(String(describing: conflict))")
        let unknown = error("refresh = [\"r\"]\nfly = [\"x\"]\n")
        #expect(unknown?.line == 2 && unknown?.message.contains("unknown action 'fly'") == true)
        let badKey = error("refresh = [\"Hyper-R\"]\n")
        #expect(badKey?.line == 1 && badKey?.message.contains("'Hyper-R'") == true)
        let broken = error("refresh = [\n")
        #expect(broken?.message.contains("invalid TOML") == true)
        #expect(error("refresh = []\n")?.message.contains("needs a list of keys") == true)
    }

    @Test func aUsersKeymapFileIsReadFromTheConfigFolder() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("keymap-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.createDirectory(at: home.appendingPathComponent("overblik"), withIntermediateDirectories: true)
        let environment = ["XDG_CONFIG_HOME": home.path]
        #expect(try Keymap.forUser(environment: environment).action(for: .character("r"), on: .overview) == .refresh)
        try "refresh = [\"Ctrl-R\"]\n".write(
            to: home.appendingPathComponent("overblik/keymap.toml"), atomically: true, encoding: .utf8)
        #expect(try Keymap.forUser(environment: environment).action(for: .control("r"), on: .overview) == .refresh)
        try "refresh = [\"?\"]\n".write(
            to: home.appendingPathComponent("overblik/keymap.toml"), atomically: true, encoding: .utf8)
        #expect(throws: KeymapError.self) { try Keymap.forUser(environment: environment) }
    }

    @Test func themesComeFromTheAssetsAndTheUsersFolder() throws {
        try ThemeColors.checkBundled()
        #expect(ThemeColors.bundledNames.contains("default") && ThemeColors.bundledNames.contains("high-contrast"))
        let standard = Theme(tier: .twoFiftySix)
        #expect(standard.title == Style(foreground: .palette(75), bold: true))
        #expect(Theme(tier: .none).dim == .plain, "without colour a dim text has nothing to show")
        #expect(Theme(tier: .none).flag.underline, "without colour a flag is underlined")
        let contrast = Theme(tier: .twoFiftySix, colors: try ThemeColors.named("high-contrast", environment: [:]))
        #expect(contrast.error.foreground == .palette(196))
        #expect(contrast.selected.reverse, "a role the theme leaves out keeps the default's")

        let home = FileManager.default.temporaryDirectory.appendingPathComponent("theme-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let folder = home.appendingPathComponent("overblik/themes")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "[title]\nrich = \"magenta\"\n".write(
            to: folder.appendingPathComponent("mine.toml"), atomically: true, encoding: .utf8)
        let mine = Theme(tier: .twoFiftySix, colors: try ThemeColors.named("mine", environment: ["XDG_CONFIG_HOME": home.path]))
        #expect(mine.title.foreground == .magenta)
        try "\n[titel]\nrich = 3\n".write(to: folder.appendingPathComponent("bad.toml"), atomically: true, encoding: .utf8)
        do {
            _ = try ThemeColors.named("bad", environment: ["XDG_CONFIG_HOME": home.path])
            Issue.record("an unknown role was accepted")
        } catch {
            #expect(error.line == 2 && error.message.contains("unknown role [titel]"), "\(error)")
        }
        #expect(throws: ThemeError.self) { try ThemeColors.named("nosuch", environment: ["XDG_CONFIG_HOME": home.path]) }
    }
}
