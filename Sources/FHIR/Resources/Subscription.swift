/// An R4 Subscription as profiled by the Subscriptions R5 Backport IG: the topic canonical sits in `criteria`,
/// filters in `_criteria` extensions, the payload content in `_payload`, heartbeat and timeout in channel extensions.
public struct Subscription: FHIRResource {
    public static let resourceType = "Subscription"
    public internal(set) var resourceType: String = "Subscription"
    public var id: String?
    public var meta: Meta?
    public var `extension`: [Extension]?
    public var status: String?
    public var contact: [ContactPoint]?
    public var end: FHIRDateTime?
    public var reason: String?
    public var criteria: String?
    public var _criteria: Element?
    public var error: String?
    public var channel: Channel?

    public init() {}

    public struct Channel: Codable, Sendable, Hashable {
        public var `extension`: [Extension]?
        public var type: String?
        public var endpoint: String?
        public var payload: String?
        public var _payload: Element?
        public var header: [String]?

        public init(type: String? = nil, endpoint: String? = nil, payload: String? = nil) {
            self.type = type
            self.endpoint = endpoint
            self.payload = payload
        }
    }
}
