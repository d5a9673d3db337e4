public struct Patient: FHIRResource {
    public static let resourceType = "Patient"
    public internal(set) var resourceType: String = "Patient"
    public var id: String?
    public var meta: Meta?
    public var text: Narrative?
    public var identifier: [Identifier]?
    public var active: Bool?
    public var name: [HumanName]?
    public var telecom: [ContactPoint]?
    public var gender: String?
    public var birthDate: FHIRDateTime?
    public var deceasedBoolean: Bool?
    public var deceasedDateTime: FHIRDateTime?
    public var address: [Address]?
    public var maritalStatus: CodeableConcept?
    public var generalPractitioner: [Reference]?
    public var managingOrganization: Reference?

    public init() {}

    /// The CPR number, if the patient carries one.
    public var cpr: String? {
        identifier?.first { $0.system == DanishSystems.cpr }?.value
    }

    /// The official name, else the first.
    public var preferredName: HumanName? {
        name?.first { $0.use == "official" } ?? name?.first
    }
}
