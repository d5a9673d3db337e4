public struct Organization: FHIRResource {
    public static let resourceType = "Organization"
    public internal(set) var resourceType: String = "Organization"
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    public var active: Bool?
    public var type: [CodeableConcept]?
    public var name: String?
    public var alias: [String]?
    public var telecom: [ContactPoint]?
    public var address: [Address]?
    public var partOf: Reference?

    public init() {}
}
