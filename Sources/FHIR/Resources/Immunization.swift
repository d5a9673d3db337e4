/// A vaccination given (R4 Immunization), as the vaccination register (DDV) holds it.
public struct Immunization: FHIRResource {
    public static let resourceType = "Immunization"
    public internal(set) var resourceType: String = "Immunization"
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    /// completed | entered-in-error | not-done
    public var status: String?
    public var vaccineCode: CodeableConcept?
    public var patient: Reference?
    public var occurrenceDateTime: FHIRDateTime?
    public var occurrenceString: String?
    public var recorded: FHIRDateTime?
    public var primarySource: Bool?
    public var lotNumber: String?
    public var route: CodeableConcept?
    public var performer: [Performer]?
    public var note: [Annotation]?

    public struct Performer: Codable, Sendable, Hashable {
        public var function: CodeableConcept?
        public var actor: Reference?

        public init(actor: Reference? = nil) { self.actor = actor }
    }

    public init() {}
}
