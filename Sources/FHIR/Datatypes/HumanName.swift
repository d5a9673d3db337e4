public struct HumanName: Codable, Sendable, Hashable {
    public var use: String?
    public var text: String?
    public var family: String?
    public var given: [String]?
    public var prefix: [String]?
    public var suffix: [String]?
    public var period: Period?

    public init(family: String? = nil, given: [String]? = nil, text: String? = nil) {
        self.family = family
        self.given = given
        self.text = text
    }

    /// "Given Given Family", or the text.
    public var displayName: String {
        if let text, !text.isEmpty { return text }
        return ((given ?? []) + [family].compactMap { $0 }).joined(separator: " ")
    }
}
