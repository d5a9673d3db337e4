import Federation

/// What a key does. The keymap binds keys to actions per screen; help is generated from it.
public enum Action: String, Sendable, CaseIterable {
    case up, down, top, bottom, pageUp, pageDown
    case nextPane, previousPane
    case open, back, quit, help, command, filter, refresh
    case section1, section2, section3, section4, section5, section6, section7, section8, section9
    case timeline, trends, notifications, search
    case cycleSector, cycleType, cyclePeriod
    case emergency, accessLog
    case summary, export
    case apps

    /// What the help screen says it does (`action.<name>` in the catalogs).
    public func describe(_ strings: Strings) -> String {
        guard let index = sectionIndex else { return strings.text("action.\(rawValue)") }
        return strings.text("action.section", ["section": .text(strings.sectionTitle(SectionKind.allCases[index]))])
    }

    /// 0-8 for `section1`...`section9`.
    var sectionIndex: Int? {
        guard rawValue.hasPrefix("section"), let number = Int(rawValue.dropFirst(7)) else { return nil }
        return number - 1
    }
}
