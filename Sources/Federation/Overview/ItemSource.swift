import Foundation

/// Where an item came from: the source, the resource there, and when it was fetched.
public struct ItemSource: Codable, Sendable, Hashable {
    public let sourceID: String
    public let sourceName: String
    public let sector: Sector
    /// `Type/id` at the source.
    public let reference: String
    public let fetchedAt: Date
}
