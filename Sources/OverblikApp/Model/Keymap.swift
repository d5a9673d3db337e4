import Terminal

/// Which key does what, per screen. The help screen is generated from this table, so it is never out of date.
public struct Keymap: Sendable {
    public struct Binding: Sendable {
        public let keys: [Key]
        public let action: Action
        /// Empty: on every screen.
        public let screens: [ScreenID]
    }

    public let bindings: [Binding]

    static let lists: [ScreenID] = [.search, .overview, .timeline, .trends, .notifications, .detail, .help, .accessLog]

    public static let standard = Keymap(bindings: [
        Binding(keys: [.up, .character("k")], action: .up, screens: lists),
        Binding(keys: [.down, .character("j")], action: .down, screens: lists),
        Binding(keys: [.character("g"), .home], action: .top, screens: lists),
        Binding(keys: [.character("G"), .end], action: .bottom, screens: lists),
        Binding(keys: [.pageUp], action: .pageUp, screens: lists),
        Binding(keys: [.pageDown, .character(" ")], action: .pageDown, screens: lists),
        Binding(keys: [.tab, .right, .character("l")], action: .nextPane, screens: [.overview]),
        Binding(keys: [.backTab, .left, .character("h")], action: .previousPane, screens: [.overview]),
        Binding(keys: [.enter], action: .open, screens: [.search, .overview, .timeline, .trends, .notifications, .accessLog]),
        Binding(keys: [.escape], action: .back, screens: []),
        Binding(keys: [.character("q"), .control("c")], action: .quit, screens: []),
        Binding(keys: [.character("?"), .function(1)], action: .help, screens: []),
        Binding(keys: [.character(":")], action: .command, screens: []),
        Binding(keys: [.character("/")], action: .filter, screens: [.overview, .timeline, .trends, .notifications, .search]),
        Binding(
            keys: [.character("r"), .function(5)], action: .refresh,
            screens: [.overview, .search, .timeline, .trends, .accessLog]),
        Binding(keys: [.character("1")], action: .section1, screens: [.overview]),
        Binding(keys: [.character("2")], action: .section2, screens: [.overview]),
        Binding(keys: [.character("3")], action: .section3, screens: [.overview]),
        Binding(keys: [.character("4")], action: .section4, screens: [.overview]),
        Binding(keys: [.character("5")], action: .section5, screens: [.overview]),
        Binding(keys: [.character("6")], action: .section6, screens: [.overview]),
        Binding(keys: [.character("7")], action: .section7, screens: [.overview]),
        Binding(keys: [.character("8")], action: .section8, screens: [.overview]),
        Binding(keys: [.character("t")], action: .timeline, screens: [.overview, .trends, .detail]),
        Binding(keys: [.character("L")], action: .trends, screens: [.overview, .timeline, .detail]),
        Binding(keys: [.character("n")], action: .notifications, screens: [.overview, .search, .timeline, .trends]),
        Binding(keys: [.character("s")], action: .cycleSector, screens: [.timeline]),
        Binding(keys: [.character("y")], action: .cycleType, screens: [.timeline]),
        Binding(keys: [.character("p")], action: .cyclePeriod, screens: [.timeline]),
        Binding(keys: [.character("f")], action: .search, screens: [.overview, .timeline, .trends, .notifications, .accessLog]),
        Binding(keys: [.character("!")], action: .emergency, screens: [.overview]),
        Binding(keys: [.character("M")], action: .accessLog, screens: [.overview, .notifications]),
    ])

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
}
