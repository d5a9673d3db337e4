/// An ordination (R4 MedicationRequest): on the shared medication card (FMK) the source of truth for what a patient
/// is to take, with the prescriber, the Danish dosage text and when it was ordered.
public struct MedicationRequest: FHIRResource {
    public static let resourceType = "MedicationRequest"
    public internal(set) var resourceType: String = "MedicationRequest"
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    /// active | on-hold | cancelled | completed | entered-in-error | stopped | draft | unknown
    public var status: String?
    public var intent: String?
    public var medicationCodeableConcept: CodeableConcept?
    public var medicationReference: Reference?
    public var subject: Reference?
    public var authoredOn: FHIRDateTime?
    public var requester: Reference?
    public var reasonCode: [CodeableConcept]?
    public var note: [Annotation]?
    public var dosageInstruction: [Dosage]?
    public var dispenseRequest: DispenseRequest?

    public struct DispenseRequest: Codable, Sendable, Hashable {
        public var validityPeriod: Period?

        public init(validityPeriod: Period? = nil) { self.validityPeriod = validityPeriod }
    }

    public init() {}

    /// The medication's name: the concept's text or display, else the reference's display.
    public var medicationName: String? {
        medicationCodeableConcept?.displayText ?? medicationReference?.display
    }

    /// When the ordination applies: its validity period, else from when it was ordered.
    public var period: ClinicalTime? {
        .first(period: dispenseRequest?.validityPeriod) ?? .first(dateTime: authoredOn)
    }
}
