import Foundation
import OverblikApp
import Words

extension FuzzTarget {
    /// A keymap override, a theme or a catalog (first byte: 0, 1 or 2 modulo 3), as a user's file would be read.
    static func userConfig(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        guard let first = bytes.first else { return }
        let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        func named(_ line: Int?, _ what: String) {
            if let line { check.expect((1...max(1, lines)).contains(line), "\(what) names line \(line) of \(lines)") }
        }
        switch first % 3 {
        case 0:
            do {
                let keymap = try Keymap.standard.overridden(by: text, file: "keymap.toml")
                do { try keymap.checkConflicts(file: "keymap.toml", text: text) } catch {
                    check.fail("an accepted keymap has a conflict: \(error)")
                }
            } catch { named(error.line, "a keymap error") }
        case 1:
            do { _ = try ThemeColors.standard.merged(with: text, file: "theme.toml") } catch {
                named(error.line, "a theme error")
            }
        default:
            do {
                let catalog = try Catalog(language: .en, toml: text, file: "en.toml")
                let arguments: [String: Phrase.Argument] = [
                    "count": .integer(2), "name": .text("{name}"), "value": .decimal(1.5), "limit": .seconds(0.3),
                ]
                for id in catalog.entries.keys.prefix(200) { _ = catalog.text(id, arguments) }
            } catch { named(error.line, "a catalog error") }
        }
    }
}
