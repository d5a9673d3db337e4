public struct Practitioner: FHIRResource {
    public static let resourceType = "Practitioner"
    public internal(set) var resourceType: String = "Practitioner"
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    public var active: Bool?
    public var name: [HumanName]?
    public var telecom: [ContactPoint]?
    public var gender: String?
    public var qualification: [Qualification]?

    public init() {}

    public struct Qualification: Codable, Sendable, Hashable {
        public var identifier: [Identifier]?
        public var code: CodeableConcept?
        public var issuer: Reference?
    }
}
