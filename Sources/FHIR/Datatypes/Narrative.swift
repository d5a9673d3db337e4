public struct Narrative: Codable, Sendable, Hashable {
    public var status: String?
    public var div: String?

    public init(status: String? = nil, div: String? = nil) {
        self.status = status
        self.div = div
    }
}
