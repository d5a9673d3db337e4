import Federation

/// What a key does. The keymap binds keys to actions per screen; help is generated from it.
public enum Action: String, Sendable, CaseIterable {
    case up, down, top, bottom, pageUp, pageDown
    case nextPane, previousPane
    case open, back, quit, help, command, filter, refresh
    case section1, section2, section3, section4, section5, section6, section7, section8
    case timeline, trends, notifications, search
    case cycleSector, cycleType, cyclePeriod
    case emergency, accessLog

    public func describe(_ strings: Strings) -> String {
        let t = strings.t
        switch self {
        case .up: return t("op", "up")
        case .down: return t("ned", "down")
        case .top: return t("til toppen", "to the top")
        case .bottom: return t("til bunden", "to the bottom")
        case .pageUp: return t("side op", "page up")
        case .pageDown: return t("side ned", "page down")
        case .nextPane: return t("næste sektion", "next section")
        case .previousPane: return t("forrige sektion", "previous section")
        case .open: return t("åbn", "open")
        case .back: return t("tilbage / ryd", "back / clear")
        case .quit: return t("afslut", "quit")
        case .help: return t("denne hjælp", "this help")
        case .command: return t("kommandolinje (:p CPR, :tidslinje, :quit)", "command line (:p CPR, :timeline, :quit)")
        case .filter: return t("filtrér listen", "filter the list")
        case .refresh: return t("hent igen fra kilderne", "fetch again from the sources")
        case .section1, .section2, .section3, .section4, .section5, .section6, .section7, .section8:
            let index = Int(String(rawValue.last!))! - 1
            return t("gå til ", "go to ") + strings.sectionTitle(Federation.SectionKind.allCases[index])
        case .timeline: return t("tidslinje på tværs af sektorer", "timeline across sectors")
        case .trends: return t("laboratoriesvar over tid", "lab results over time")
        case .notifications: return t("notifikationer", "notifications")
        case .search: return t("find en anden patient", "find another patient")
        case .cycleSector: return t("skift sektorfilter", "change the sector filter")
        case .cycleType: return t("skift typefilter", "change the type filter")
        case .cyclePeriod: return t("skift periode", "change the period")
        case .emergency: return t("værdispring: åbn med en begrundelse (logges)", "emergency access with a reason (logged)")
        case .accessLog: return t("min log: hvem har set mine data", "my log: who looked at my data")
        }
    }
}
