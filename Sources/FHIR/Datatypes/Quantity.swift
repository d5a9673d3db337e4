/// Quantity, also used for the profiles Age, Duration, SimpleQuantity.
public struct Quantity: Codable, Sendable, Hashable {
    public var value: Double?
    public var comparator: String?
    public var unit: String?
    public var system: String?
    public var code: String?

    public init(value: Double? = nil, unit: String? = nil, system: String? = nil, code: String? = nil) {
        self.value = value
        self.unit = unit
        self.system = system
        self.code = code
    }
}
