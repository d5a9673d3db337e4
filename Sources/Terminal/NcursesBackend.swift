import CNCursesW
import Foundation

/// The real terminal, through ncursesw. Only the UI thread may call it. The grid a view made is copied in (only
/// cells that changed since the last frame) and ncurses sends the terminal only the difference.
public final class NcursesBackend {
    public private(set) var width = 0
    public private(set) var height = 0
    public let colorTier: ColorTier
    public let glyphs: Glyphs
    private var previous: Screen?
    private var pairs: [Pair: Int16] = [:]
    private var started = false

    struct Pair: Hashable {
        let foreground: Int
        let background: Int
    }

    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Sets up the locale, the crash handlers and the screen.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let utf8 = TerminalLocale.setUp()
        ob_install_crash_handlers()
        guard ob_start() == 0 else {
            throw StartError(description: "Terminalen kan ikke styres (TERM=\(environment["TERM"] ?? "ikke sat")).")
        }
        started = true
        colorTier = ColorTier.from(colors: Int(ob_colors()), environment: environment)
        glyphs = Glyphs.choose(utf8: utf8, term: environment["TERM"])
        width = Int(ob_cols())
        height = Int(ob_lines())
    }

    /// Leaves the screen and gives the terminal back as it was. Safe to call more than once.
    public func stop() {
        guard started else { return }
        started = false
        ob_stop()
    }

    deinit { stop() }

    /// Reads the new size after a resize.
    public func updateSize() {
        ob_update_size()
        width = Int(ob_cols())
        height = Int(ob_lines())
        previous = nil
    }

    /// Every key waiting, without blocking.
    public func readKeys() -> [Key] {
        var keys: [Key] = []
        while true {
            var value: UInt32 = 0
            let result = ob_read_key(&value)
            if result == ERR { break }
            if let key = Key.decode(value, isKeyCode: result == KEY_CODE_YES) { keys.append(key) }
            if keys.count > 512 { break }
        }
        return keys
    }

    /// Copies the cells that changed since the last frame and refreshes.
    public func draw(_ screen: Screen) {
        let full = previous == nil || previous!.width != screen.width || previous!.height != screen.height
        for y in 0..<min(screen.height, height) {
            var x = 0
            while x < min(screen.width, width) {
                let cell = screen[x, y]
                if cell.continuation || (!full && previous![x, y] == cell) {
                    x += 1
                    continue
                }
                // A run of changed cells with the same style is drawn in one call.
                var run = ""
                let style = cell.style
                var end = x
                while end < min(screen.width, width) {
                    let next = screen[end, y]
                    if next.style != style { break }
                    if !full, previous![end, y] == next, !next.continuation { break }
                    if !next.continuation { run.append(next.character) }
                    end += 1
                }
                draw(run, x: x, y: y, style: style)
                x = max(end, x + 1)
            }
        }
        if let cursor = screen.cursor {
            ob_move_cursor(Int32(cursor.y), Int32(cursor.x), 1)
        } else {
            ob_move_cursor(0, 0, 0)
        }
        ob_refresh()
        previous = screen
    }

    private func draw(_ text: String, x: Int, y: Int, style: Style) {
        var attributes = ob_attr_normal()
        if style.bold { attributes |= ob_attr_bold() }
        if style.reverse { attributes |= ob_attr_reverse() }
        if style.underline { attributes |= ob_attr_underline() }
        if style.dim { attributes |= ob_attr_dim() }
        let pair = colorPair(style)
        var wide = text.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
        wide.append(0)
        ob_draw(Int32(y), Int32(x), wide, attributes, pair)
    }

    private func colorPair(_ style: Style) -> Int16 {
        guard colorTier != .none, style.foreground != nil || style.background != nil else { return 0 }
        let key = Pair(foreground: style.foreground?.index ?? -1, background: style.background?.index ?? -1)
        if let pair = pairs[key] { return pair }
        let number = Int16(pairs.count + 1)
        guard Int32(number) < ob_color_pairs() else { return 0 }
        init_pair(number, Int16(key.foreground), Int16(key.background))
        pairs[key] = number
        return number
    }
}
