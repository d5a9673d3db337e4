import FHIR

/// The values of one analysis over time (an NPU lab code, or a measurement such as weight), oldest first.
public struct Trend: Codable, Sendable, Hashable {
    public struct Point: Codable, Sendable, Hashable {
        public let date: FHIRDateTime
        public let value: Double
        /// "H", "L" or nil: above or below the reference range.
        public let flag: String?
        public let sourceID: String
    }

    /// `system|code`.
    public let code: String
    public let title: String
    public let unit: String?
    public let referenceLow: Double?
    public let referenceHigh: Double?
    public let points: [Point]

    public var latest: Point? { points.last }
}
