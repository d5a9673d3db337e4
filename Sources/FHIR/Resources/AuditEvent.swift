public struct AuditEvent: FHIRResource {
    public static let resourceType = "AuditEvent"
    public internal(set) var resourceType: String = "AuditEvent"
    public var id: String?
    public var meta: Meta?
    public var type: Coding?
    public var subtype: [Coding]?
    public var action: String?
    public var period: Period?
    public var recorded: FHIRDateTime?
    public var outcome: String?
    public var outcomeDesc: String?
    public var purposeOfEvent: [CodeableConcept]?
    public var agent: [Agent]?
    public var source: Source?
    public var entity: [Entity]?

    public init() {}

    public struct Agent: Codable, Sendable, Hashable {
        public var type: CodeableConcept?
        public var role: [CodeableConcept]?
        public var who: Reference?
        public var altId: String?
        public var name: String?
        public var requestor: Bool?
        public var location: Reference?
        public var policy: [String]?
        public var network: Network?
        public var purposeOfUse: [CodeableConcept]?

        public init() {}
    }

    public struct Network: Codable, Sendable, Hashable {
        public var address: String?
        public var type: String?

        public init(address: String? = nil, type: String? = nil) {
            self.address = address
            self.type = type
        }
    }

    public struct Source: Codable, Sendable, Hashable {
        public var site: String?
        public var observer: Reference?
        public var type: [Coding]?

        public init(site: String? = nil, observer: Reference? = nil) {
            self.site = site
            self.observer = observer
        }
    }

    public struct Entity: Codable, Sendable, Hashable {
        public var what: Reference?
        public var type: Coding?
        public var role: Coding?
        public var name: String?
        public var description: String?
        public var query: String?
        public var detail: [Detail]?

        public init() {}
    }

    public struct Detail: Codable, Sendable, Hashable {
        public var type: String
        public var valueString: String?
        public var valueBase64Binary: String?

        public init(type: String, valueString: String? = nil) {
            self.type = type
            self.valueString = valueString
        }
    }
}
