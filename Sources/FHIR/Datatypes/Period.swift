public struct Period: Codable, Sendable, Hashable {
    public var start: FHIRDateTime?
    public var end: FHIRDateTime?

    public init(start: FHIRDateTime? = nil, end: FHIRDateTime? = nil) {
        self.start = start
        self.end = end
    }
}
