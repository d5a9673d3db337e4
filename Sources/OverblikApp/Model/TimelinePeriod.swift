import Foundation

/// How far back the timeline reaches.
public enum TimelinePeriod: Int, Sendable, CaseIterable {
    case all, year, quarter, month

    var seconds: TimeInterval? {
        switch self {
        case .all: return nil
        case .year: return 365 * 86_400
        case .quarter: return 92 * 86_400
        case .month: return 30 * 86_400
        }
    }
}
