public struct AllergyIntolerance: FHIRResource {
    public static let resourceType = "AllergyIntolerance"
    public internal(set) var resourceType: String = "AllergyIntolerance"
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    public var clinicalStatus: CodeableConcept?
    public var verificationStatus: CodeableConcept?
    public var type: String?
    public var category: [String]?
    public var criticality: String?
    public var code: CodeableConcept?
    public var patient: Reference?
    public var encounter: Reference?
    public var onsetDateTime: FHIRDateTime?
    public var onsetAge: Quantity?
    public var onsetPeriod: Period?
    public var onsetRange: Range?
    public var onsetString: String?
    public var recordedDate: FHIRDateTime?
    public var recorder: Reference?
    public var note: [Annotation]?
    public var reaction: [Reaction]?

    public init() {}

    public struct Reaction: Codable, Sendable, Hashable {
        public var substance: CodeableConcept?
        public var manifestation: [CodeableConcept]?
        public var description: String?
        public var severity: String?
    }

    /// `onset[x]`, whichever type was sent.
    public var onset: ClinicalTime? {
        .first(dateTime: onsetDateTime, period: onsetPeriod, string: onsetString, age: onsetAge, range: onsetRange)
    }
}
