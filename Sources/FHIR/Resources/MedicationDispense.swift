/// An effectuation (R4 MedicationDispense): a pharmacy handing over what an ordination on the medication card
/// prescribed.
public struct MedicationDispense: FHIRResource {
    public static let resourceType = "MedicationDispense"
    public internal(set) var resourceType: String = "MedicationDispense"
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    /// preparation | in-progress | cancelled | on-hold | completed | entered-in-error | stopped | declined | unknown
    public var status: String?
    public var medicationCodeableConcept: CodeableConcept?
    public var medicationReference: Reference?
    public var subject: Reference?
    public var authorizingPrescription: [Reference]?
    public var performer: [Immunization.Performer]?
    public var quantity: Quantity?
    public var whenHandedOver: FHIRDateTime?
    public var dosageInstruction: [Dosage]?

    public init() {}
}
