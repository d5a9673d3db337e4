public struct Bundle: FHIRResource {
    public static let resourceType = "Bundle"
    public internal(set) var resourceType: String = "Bundle"
    public var id: String?
    public var meta: Meta?
    public var identifier: Identifier?
    public var type: String?
    public var timestamp: FHIRDateTime?
    public var total: Int?
    public var link: [Link]?
    public var entry: [Entry]?

    public init(type: String? = nil) {
        self.type = type
    }

    public struct Link: Codable, Sendable, Hashable {
        public var relation: String
        public var url: String

        public init(relation: String, url: String) {
            self.relation = relation
            self.url = url
        }
    }

    public struct Entry: Codable, Sendable, Hashable {
        public var fullUrl: String?
        public var resource: AnyResource?
        public var search: Search?
        public var request: Request?
        public var response: Response?

        public init(fullUrl: String? = nil, resource: AnyResource? = nil) {
            self.fullUrl = fullUrl
            self.resource = resource
        }

        private enum CodingKeys: String, CodingKey {
            case fullUrl, resource, search, request, response
        }

        /// Lenient: an entry whose resource cannot be read keeps its place as `.unreadable`, so one garbage entry
        /// does not spoil the whole bundle and the reader can say how many entries were bad.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            fullUrl = try? container.decodeIfPresent(String.self, forKey: .fullUrl)
            search = try? container.decodeIfPresent(Search.self, forKey: .search)
            request = try? container.decodeIfPresent(Request.self, forKey: .request)
            response = try? container.decodeIfPresent(Response.self, forKey: .response)
            if container.contains(.resource) {
                do {
                    resource = try container.decode(AnyResource.self, forKey: .resource)
                } catch {
                    resource = .unreadable(AnyResource.describe(error))
                }
            }
        }
    }

    public struct Search: Codable, Sendable, Hashable {
        public var mode: String?
        public var score: Double?

        public init(mode: String? = nil) {
            self.mode = mode
        }
    }

    public struct Request: Codable, Sendable, Hashable {
        public var method: String?
        public var url: String?
        public var ifNoneMatch: String?
    }

    public struct Response: Codable, Sendable, Hashable {
        public var status: String?
        public var location: String?
        public var etag: String?
        public var lastModified: FHIRDateTime?
    }

    /// The link with this relation (`self`, `next`, `previous`, ...).
    public func link(_ relation: String) -> String? {
        link?.first { $0.relation == relation }?.url
    }

    /// The resources of the entries, skipping unreadable ones.
    public var resources: [AnyResource] {
        (entry ?? []).compactMap { entry in
            if case .unreadable = entry.resource { return nil }
            return entry.resource
        }
    }
}
