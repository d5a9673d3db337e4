public struct Condition: FHIRResource {
    public static let resourceType = "Condition"
    public internal(set) var resourceType: String = "Condition"
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    public var clinicalStatus: CodeableConcept?
    public var verificationStatus: CodeableConcept?
    public var category: [CodeableConcept]?
    public var severity: CodeableConcept?
    public var code: CodeableConcept?
    public var bodySite: [CodeableConcept]?
    public var subject: Reference?
    public var encounter: Reference?
    public var onsetDateTime: FHIRDateTime?
    public var onsetAge: Quantity?
    public var onsetPeriod: Period?
    public var onsetRange: Range?
    public var onsetString: String?
    public var abatementDateTime: FHIRDateTime?
    public var abatementAge: Quantity?
    public var abatementPeriod: Period?
    public var abatementRange: Range?
    public var abatementString: String?
    public var recordedDate: FHIRDateTime?
    public var recorder: Reference?
    public var asserter: Reference?
    public var note: [Annotation]?

    public init() {}

    /// `onset[x]`, whichever type was sent.
    public var onset: ClinicalTime? {
        .first(dateTime: onsetDateTime, period: onsetPeriod, string: onsetString, age: onsetAge, range: onsetRange)
    }

    /// `abatement[x]`, whichever type was sent.
    public var abatement: ClinicalTime? {
        .first(
            dateTime: abatementDateTime, period: abatementPeriod, string: abatementString, age: abatementAge,
            range: abatementRange)
    }
}
