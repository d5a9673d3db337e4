import CNCursesW

/// The process locale, set up once before curses starts or widths are measured.
public enum TerminalLocale {
    /// Sets the locale from the environment, falling back to C.UTF-8; true when the locale is UTF-8.
    @discardableResult
    public static func setUp() -> Bool {
        ob_setup_locale() == 1
    }
}
