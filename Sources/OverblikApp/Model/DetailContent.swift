import Federation

/// What the detail screen shows: one item of the overview, every value of a trend, or one line of the access log.
/// The words are made by `DetailView`, from the content itself.
public enum DetailContent: Sendable, Equatable {
    case item(OverviewItem)
    case trend(Trend)
    case access(AccessLogGroup)

    /// The item's id (`trend/<code>`, `audit/<sequence>` for the others).
    public var id: String {
        switch self {
        case .item(let item): return item.id
        case .trend(let trend): return "trend/\(trend.code)"
        case .access(let group): return "audit/\(group.first.sequence)"
        }
    }
}
