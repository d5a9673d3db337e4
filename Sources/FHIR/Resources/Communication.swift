public struct Communication: FHIRResource {
    public static let resourceType = "Communication"
    public internal(set) var resourceType: String = "Communication"
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    public var status: String?
    public var category: [CodeableConcept]?
    public var priority: String?
    public var subject: Reference?
    public var topic: CodeableConcept?
    public var encounter: Reference?
    public var sent: FHIRDateTime?
    public var received: FHIRDateTime?
    public var recipient: [Reference]?
    public var sender: Reference?
    public var payload: [Payload]?
    public var note: [Annotation]?

    public init() {}

    public struct Payload: Codable, Sendable, Hashable {
        public var contentString: String?
        public var contentAttachment: Attachment?
        public var contentReference: Reference?

        public init(contentString: String? = nil) {
            self.contentString = contentString
        }
    }

    /// All text payloads joined, including inline text attachments.
    public var text: String {
        (payload ?? []).compactMap { $0.contentString ?? $0.contentAttachment?.decodedText }.joined(separator: "\n")
    }
}
