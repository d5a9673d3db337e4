public struct Range: Codable, Sendable, Hashable {
    public var low: Quantity?
    public var high: Quantity?

    public init(low: Quantity? = nil, high: Quantity? = nil) {
        self.low = low
        self.high = high
    }
}
