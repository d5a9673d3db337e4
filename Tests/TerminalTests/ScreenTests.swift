import Terminal
import Testing

@Suite struct ScreenTests {
    init() { TerminalLocale.setUp() }

    @Test func widthsFollowWcwidth() {
        #expect(DisplayWidth.of("Æblegrød på Ærø") == 15)
        #expect(DisplayWidth.of(Character("中")) == 2)
        #expect(DisplayWidth.of(Character("😀")) == 2)
        #expect(DisplayWidth.of("e\u{301}") == 1, "a combining mark takes no column")
    }

    @Test func wideCharactersTakeTwoCellsAndAreNeverCutInHalf() {
        var screen = Screen(width: 6, height: 1)
        let used = screen.put("中文中", x: 0, y: 0)
        #expect(used == 6)
        #expect(screen.lines == ["中文中"])
        screen.put("x", x: 1, y: 0)
        #expect(screen.lines == [" x文中"])
        var narrow = Screen(width: 5, height: 1)
        narrow.put("ab中文", x: 0, y: 0)
        #expect(narrow.lines == ["ab中 "], "the second wide character does not fit and is left out whole")
    }

    @Test func truncateWrapAndPad() {
        #expect(DisplayWidth.truncate("Hjertesvigt med ødemer", to: 10) == "Hjertesvi…")
        #expect(DisplayWidth.pad("Æ", to: 3) == "Æ  ")
        #expect(DisplayWidth.wrap("Borgeren er i godt humør i dag", to: 12) == ["Borgeren er", "i godt humør", "i dag"])
        #expect(DisplayWidth.wrap("linje1\nlinje2", to: 20) == ["linje1", "linje2"])
        #expect(DisplayWidth.wrap("abcdefghijklmno", to: 5) == ["abcde", "fghij", "klmno"])
    }

    @Test func boxesInUnicodeAndASCII() {
        var screen = Screen(width: 10, height: 3)
        screen.box(x: 0, y: 0, width: 10, height: 3, glyphs: .unicode, title: "Liste")
        #expect(screen.lines == ["┌ Liste ─┐", "│        │", "└────────┘"])
        var ascii = Screen(width: 10, height: 3)
        ascii.box(x: 0, y: 0, width: 10, height: 3, glyphs: .ascii, title: "Liste")
        #expect(ascii.lines == ["+ Liste -+", "|        |", "+--------+"])
    }

    @Test func glyphsAndColourTiersFollowTheTerminal() {
        #expect(Glyphs.choose(utf8: true, term: "xterm-256color") == .unicode)
        #expect(Glyphs.choose(utf8: true, term: "linux") == .ascii)
        #expect(Glyphs.choose(utf8: true, term: "vt100") == .ascii)
        #expect(Glyphs.choose(utf8: false, term: "xterm") == .ascii)
        #expect(ColorTier.from(colors: 256, environment: [:]) == .twoFiftySix)
        #expect(ColorTier.from(colors: 8, environment: [:]) == .eight)
        #expect(ColorTier.from(colors: 256, environment: ["NO_COLOR": ""]) == .none)
        #expect(Glyphs.unicode.sparkline([1, 2, 3, 4]) == "▁▃▆█")
        #expect(Glyphs.ascii.sparkline([5, 5]).count == 2)
    }

    @Test func styleMapShowsColours() {
        var screen = Screen(width: 4, height: 1)
        screen.put("ab", x: 0, y: 0, style: Style(foreground: .red, bold: true))
        #expect(screen.styleMap == "AA..\n--\n. plain\nA fg=red,bold")
    }

    @Test func keysDecodeFromCurses() {
        #expect(Key.decode(27, isKeyCode: false) == .escape)
        #expect(Key.decode(3, isKeyCode: false) == .control("c"))
        #expect(Key.decode(0xE6, isKeyCode: false) == .character("æ"))
        #expect(Key.decode(13, isKeyCode: false) == .enter)
        #expect(Key.decode(9, isKeyCode: false) == .tab)
    }
}
