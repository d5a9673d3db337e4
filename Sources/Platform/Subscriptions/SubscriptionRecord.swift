import Foundation

/// A subscription as the platform keeps it: topic, filters, channel, and where its stream is.
public struct SubscriptionRecord: Sendable, Hashable {
    public enum Channel: String, Sendable, Hashable, CaseIterable {
        case restHook = "rest-hook"
        case websocket
        /// Server-sent events: our own channel type (no HL7 specification defines one).
        case sse
    }

    public enum Payload: String, Sendable, Hashable, CaseIterable {
        case empty
        case idOnly = "id-only"
        case fullResource = "full-resource"
    }

    /// R4 Subscription.status.
    public enum Status: String, Sendable, Hashable {
        case requested, active, error, off
    }

    public var id: String
    public var topic: String
    public var filters: [SubscriptionFilter]
    public var channel: Channel
    public var endpoint: String?
    public var headers: [String]
    public var payload: Payload
    public var heartbeatSeconds: Int?
    public var status: Status
    public var error: String?
    /// Who asked (a user or client id), for reuse; never a name.
    public var owner: String?
    /// Behind a gateway: what the owner may open, as the gateway knew them when the subscription was made (role,
    /// organisation, municipality, a citizen's CPR number; no name). Each event is delivered only when this
    /// identity may open the patient's data at that moment (`DeliveryGate`).
    public var audience: Identity?
    public var created: Date
    /// Events numbered so far (R5 `eventsSinceSubscriptionStart`).
    public var eventCount: Int64
    /// Rest-hook: the last event number the endpoint accepted.
    public var deliveredThrough: Int64
    /// Why the stored row could not be read, if it could not: such a subscription matches nothing (fail closed).
    public var defect: String?

    public init(
        id: String, topic: String, filters: [SubscriptionFilter], channel: Channel, endpoint: String? = nil,
        headers: [String] = [], payload: Payload = .idOnly, heartbeatSeconds: Int? = nil, status: Status = .active,
        error: String? = nil, owner: String? = nil, created: Date = Date(), eventCount: Int64 = 0,
        deliveredThrough: Int64 = 0
    ) {
        self.id = id
        self.topic = topic
        self.filters = filters
        self.channel = channel
        self.endpoint = endpoint
        self.headers = headers
        self.payload = payload
        self.heartbeatSeconds = heartbeatSeconds
        self.status = status
        self.error = error
        self.owner = owner
        self.created = created
        self.eventCount = eventCount
        self.deliveredThrough = deliveredThrough
    }

    /// True if this subscription wants `event`. A subscription in error still numbers its events, so that nothing
    /// is lost: the subscriber recovers them with `$events`.
    public func matches(_ event: EventRecord) -> Bool {
        guard status != .off, defect == nil,
            let topic = EventTopic.named(topic), topic.covers(event.code)
        else { return false }
        return filters.allSatisfy { $0.matches(event) }
    }
}

/// A short-lived token that binds a websocket to a subscription (`$get-ws-binding-token`).
public struct BindingToken: Sendable, Hashable {
    public let token: String
    public let subscriptionID: String
    public let expires: Date

    public init(token: String, subscriptionID: String, expires: Date) {
        self.token = token
        self.subscriptionID = subscriptionID
        self.expires = expires
    }
}
