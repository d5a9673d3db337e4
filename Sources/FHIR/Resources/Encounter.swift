public struct Encounter: FHIRResource {
    public static let resourceType = "Encounter"
    public internal(set) var resourceType: String = "Encounter"
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    public var status: String?
    public var `class`: Coding?
    public var type: [CodeableConcept]?
    public var serviceType: CodeableConcept?
    public var priority: CodeableConcept?
    public var subject: Reference?
    public var episodeOfCare: [Reference]?
    public var participant: [Participant]?
    public var period: Period?
    public var reasonCode: [CodeableConcept]?
    public var diagnosis: [Diagnosis]?
    public var hospitalization: Hospitalization?
    public var location: [Location]?
    public var serviceProvider: Reference?

    public init() {}

    public struct Participant: Codable, Sendable, Hashable {
        public var type: [CodeableConcept]?
        public var period: Period?
        public var individual: Reference?
    }

    public struct Diagnosis: Codable, Sendable, Hashable {
        public var condition: Reference?
        public var use: CodeableConcept?
        public var rank: Int?
    }

    public struct Hospitalization: Codable, Sendable, Hashable {
        public var admitSource: CodeableConcept?
        public var dischargeDisposition: CodeableConcept?
    }

    public struct Location: Codable, Sendable, Hashable {
        public var location: Reference?
        public var status: String?
        public var period: Period?
    }
}
