public struct DocumentReference: FHIRResource {
    public static let resourceType = "DocumentReference"
    public internal(set) var resourceType: String = "DocumentReference"
    public var id: String?
    public var meta: Meta?
    public var masterIdentifier: Identifier?
    public var identifier: [Identifier]?
    public var status: String?
    public var docStatus: String?
    public var type: CodeableConcept?
    public var category: [CodeableConcept]?
    public var subject: Reference?
    public var date: FHIRDateTime?
    public var author: [Reference]?
    public var custodian: Reference?
    public var description: String?
    public var content: [Content]?
    public var context: Context?

    public init() {}

    public struct Content: Codable, Sendable, Hashable {
        public var attachment: Attachment?
        public var format: Coding?
    }

    public struct Context: Codable, Sendable, Hashable {
        public var encounter: [Reference]?
        public var period: Period?
        public var facilityType: CodeableConcept?
        public var practiceSetting: CodeableConcept?
    }

    /// The text of the first inline text attachment.
    public var attachedText: String? {
        content?.lazy.compactMap { $0.attachment?.decodedText }.first
    }
}
