public struct Ratio: Codable, Sendable, Hashable {
    public var numerator: Quantity?
    public var denominator: Quantity?

    public init() {}
}
