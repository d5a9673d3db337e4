public struct Identifier: Codable, Sendable, Hashable {
    public var use: String?
    public var type: CodeableConcept?
    public var system: String?
    public var value: String?
    public var period: Period?

    public init(system: String? = nil, value: String? = nil) {
        self.system = system
        self.value = value
    }
}
