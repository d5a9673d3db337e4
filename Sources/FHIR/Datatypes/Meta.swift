public struct Meta: Codable, Sendable, Hashable {
    public var versionId: String?
    public var lastUpdated: FHIRDateTime?
    public var source: String?
    public var profile: [String]?
    public var security: [Coding]?
    public var tag: [Coding]?

    public init(versionId: String? = nil, lastUpdated: FHIRDateTime? = nil) {
        self.versionId = versionId
        self.lastUpdated = lastUpdated
    }
}
