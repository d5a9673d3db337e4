public struct CarePlan: FHIRResource {
    public static let resourceType = "CarePlan"
    public internal(set) var resourceType: String = "CarePlan"
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    public var status: String?
    public var intent: String?
    public var category: [CodeableConcept]?
    public var title: String?
    public var description: String?
    public var subject: Reference?
    public var period: Period?
    public var created: FHIRDateTime?
    public var author: Reference?
    public var addresses: [Reference]?
    public var activity: [Activity]?
    public var note: [Annotation]?

    public init() {}

    public struct Activity: Codable, Sendable, Hashable {
        public var detail: Detail?
    }

    public struct Detail: Codable, Sendable, Hashable {
        public var kind: String?
        public var code: CodeableConcept?
        public var status: String?
        public var description: String?
        public var scheduledString: String?
        public var scheduledPeriod: Period?
        public var performer: [Reference]?
    }
}
