import CNCursesW

/// The process locale, set up once before curses starts or widths are measured.
public enum TerminalLocale {
    /// Sets the locale from the environment, falling back to C.UTF-8 inside (wide characters are still measured and
    /// read); true only when the environment's own locale is UTF-8, i.e. when the terminal can be expected to draw
    /// box and block glyphs (`LANG=C` gets ASCII ones).
    @discardableResult
    public static func setUp() -> Bool {
        ob_setup_locale() == 2
    }
}
