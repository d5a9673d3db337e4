import Foundation

/// Where one answer used in an overview came from.
enum PageOrigin: Sendable {
    /// Fetched now.
    case network(Date)
    /// Our copy confirmed current by a 304 now.
    case revalidated(Date)
    /// A fresh copy from the cache; the source was not asked.
    case cache(fetchedAt: Date)
    /// The source failed; an older copy was used.
    case stale(fetchedAt: Date, failure: FetchFailure)

    var fetchedAt: Date {
        switch self {
        case .network(let date), .revalidated(let date): return date
        case .cache(let date), .stale(let date, _): return date
        }
    }
}
