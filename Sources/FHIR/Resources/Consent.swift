public struct Consent: FHIRResource {
    public static let resourceType = "Consent"
    public internal(set) var resourceType: String = "Consent"
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    public var status: String?
    public var scope: CodeableConcept?
    public var category: [CodeableConcept]?
    public var patient: Reference?
    public var dateTime: FHIRDateTime?
    public var performer: [Reference]?
    public var organization: [Reference]?
    public var policyRule: CodeableConcept?
    public var provision: Provision?

    public init() {}

    public struct Provision: Codable, Sendable, Hashable {
        /// `deny` or `permit`.
        public var type: String?
        public var period: Period?
        public var actor: [Actor]?
        public var action: [CodeableConcept]?
        public var securityLabel: [Coding]?
        public var purpose: [Coding]?
        public var `class`: [Coding]?
        public var code: [CodeableConcept]?
        public var dataPeriod: Period?
        public var provision: [Provision]?

        public init(type: String? = nil) {
            self.type = type
        }
    }

    public struct Actor: Codable, Sendable, Hashable {
        public var role: CodeableConcept?
        public var reference: Reference?

        public init(role: CodeableConcept? = nil, reference: Reference? = nil) {
            self.role = role
            self.reference = reference
        }
    }
}
