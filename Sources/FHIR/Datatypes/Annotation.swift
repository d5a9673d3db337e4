public struct Annotation: Codable, Sendable, Hashable {
    public var authorReference: Reference?
    public var authorString: String?
    public var time: FHIRDateTime?
    public var text: String?

    public init(text: String? = nil) {
        self.text = text
    }
}
