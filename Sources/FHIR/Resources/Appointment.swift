public struct Appointment: FHIRResource {
    public static let resourceType = "Appointment"
    public internal(set) var resourceType: String = "Appointment"
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    public var status: String?
    public var cancelationReason: CodeableConcept?
    public var serviceCategory: [CodeableConcept]?
    public var serviceType: [CodeableConcept]?
    public var appointmentType: CodeableConcept?
    public var reasonCode: [CodeableConcept]?
    public var description: String?
    public var start: FHIRDateTime?
    public var end: FHIRDateTime?
    public var minutesDuration: Int?
    public var created: FHIRDateTime?
    public var comment: String?
    public var patientInstruction: String?
    public var participant: [Participant]?

    public init() {}

    public struct Participant: Codable, Sendable, Hashable {
        public var type: [CodeableConcept]?
        public var actor: Reference?
        public var required: String?
        public var status: String?

        public init(actor: Reference? = nil, status: String? = nil) {
            self.actor = actor
            self.status = status
        }
    }
}
