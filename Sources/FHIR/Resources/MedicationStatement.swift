public struct MedicationStatement: FHIRResource {
    public static let resourceType = "MedicationStatement"
    public internal(set) var resourceType: String = "MedicationStatement"
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    public var status: String?
    public var statusReason: [CodeableConcept]?
    public var category: CodeableConcept?
    public var medicationCodeableConcept: CodeableConcept?
    public var medicationReference: Reference?
    public var subject: Reference?
    public var context: Reference?
    public var effectiveDateTime: FHIRDateTime?
    public var effectivePeriod: Period?
    public var dateAsserted: FHIRDateTime?
    public var informationSource: Reference?
    public var reasonCode: [CodeableConcept]?
    public var note: [Annotation]?
    public var dosage: [Dosage]?

    public init() {}

    /// `effective[x]`, whichever type was sent.
    public var effective: ClinicalTime? {
        .first(dateTime: effectiveDateTime, period: effectivePeriod)
    }

    /// The medication's name: the concept's text or display, else the reference's display.
    public var medicationName: String? {
        medicationCodeableConcept?.displayText ?? medicationReference?.display
    }
}
