public struct CapabilityStatement: FHIRResource {
    public static let resourceType = "CapabilityStatement"
    public internal(set) var resourceType: String = "CapabilityStatement"
    public var id: String?
    public var meta: Meta?
    public var name: String?
    public var title: String?
    public var status: String?
    public var date: FHIRDateTime?
    public var publisher: String?
    public var kind: String?
    public var software: Software?
    public var implementation: Implementation?
    public var fhirVersion: String?
    public var format: [String]?
    public var rest: [Rest]?

    public init() {}

    public struct Software: Codable, Sendable, Hashable {
        public var name: String
        public var version: String?

        public init(name: String, version: String? = nil) {
            self.name = name
            self.version = version
        }
    }

    public struct Implementation: Codable, Sendable, Hashable {
        public var description: String
        public var url: String?

        public init(description: String, url: String? = nil) {
            self.description = description
            self.url = url
        }
    }

    public struct Rest: Codable, Sendable, Hashable {
        public var mode: String
        public var resource: [Resource]?
        /// Whole-system interactions: `batch`, `transaction`, `search-system`, `history-system`.
        public var interaction: [Interaction]?
        public var searchParam: [SearchParam]?
        public var operation: [Operation]?

        public init(mode: String) {
            self.mode = mode
        }
    }

    public struct Resource: Codable, Sendable, Hashable {
        public var type: String
        public var interaction: [Interaction]?
        public var versioning: String?
        public var conditionalRead: String?
        /// Whether an update (`PUT`) may create the resource with the client's id.
        public var updateCreate: Bool?
        public var searchParam: [SearchParam]?

        public init(type: String) {
            self.type = type
        }
    }

    public struct Interaction: Codable, Sendable, Hashable {
        public var code: String

        public init(code: String) {
            self.code = code
        }
    }

    public struct SearchParam: Codable, Sendable, Hashable {
        public var name: String
        public var definition: String?
        public var type: String
        public var documentation: String?

        public init(name: String, type: String, documentation: String? = nil) {
            self.name = name
            self.type = type
            self.documentation = documentation
        }
    }

    public struct Operation: Codable, Sendable, Hashable {
        public var name: String
        public var definition: String

        public init(name: String, definition: String) {
            self.name = name
            self.definition = definition
        }
    }
}
