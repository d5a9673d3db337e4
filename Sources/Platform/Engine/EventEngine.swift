// EventEngine: the event engine itself: its state, its start and shutdown, and other nodes' changes.

import AsyncHTTPClient
import Logging
import NIOCore
import Synchronization
import Transport

/// The event engine: accepts sources' subscription notifications, stores each event once, numbers it per matching
/// subscription inside the storage transaction, and hands it at once to live connections and rest-hook endpoints.
public final class EventEngine: Sendable {
    public let storage: any PlatformStorage
    public let hub: LiveHub
    /// Source id → FHIR base URL; the engine fetches id-only focus resources only from these.
    public let sources: [String: String]
    /// What each source sends to prove a notification is its own.
    public let notifyCredentials: NotifyCredentials
    let httpClient: HTTPClient
    let restHook: RestHookPolicy
    let logger: Logger
    /// Heartbeat period of live channels when the subscription names none.
    public let defaultHeartbeat: Duration

    struct State {
        var subscriptions: [String: SubscriptionRecord] = [:]
        /// The storage's version of the subscription list `subscriptions` was read at.
        var subscriptionsVersion: Int64 = 0
        var deliverers: [String: RestHookDeliverer] = [:]
        /// This node delivers rest-hook notifications (always, alone on SQLite; the lock holder on PostgreSQL).
        var deliversRestHooks = false
        var changes: [Task<Void, Never>] = []
        var publicBase = "http://127.0.0.1"
        /// Focus resources kept from notifications or fetched, for full-resource payloads.
        var focusResources = FocusResourceCache()
        var observers: [@Sendable (EventRecord) -> Void] = []
    }

    let state = Mutex(State())
    private let gate = Mutex<(any DeliveryGate)?>(nil)

    /// Behind a gateway: decides, for each event, which subscribers may be told of it (see `DeliveryGate`).
    public var deliveryGate: (any DeliveryGate)? {
        get { gate.withLock { $0 } }
        set { gate.withLock { $0 = newValue } }
    }

    public init(
        storage: any PlatformStorage, sources: [String: String], notifyCredentials: NotifyCredentials = .none,
        restHook: RestHookPolicy = .standard, clientTLS: ClientTLS = .system,
        defaultHeartbeat: Duration = .seconds(10), logger: Logger = Logger(label: "sundhedscloud.engine")
    ) {
        self.storage = storage
        self.sources = sources
        self.notifyCredentials = notifyCredentials
        self.hub = LiveHub()
        self.restHook = restHook
        self.defaultHeartbeat = defaultHeartbeat
        self.logger = logger
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(2), read: .seconds(10))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.idleTimeout = HTTPClient.clientIdleTimeout
        // Focus resources from sources and rest-hook deliveries: certificates verified against `clientTLS`.
        configuration.tlsConfiguration = clientTLS.configuration
        self.httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Migrates the storage, loads the subscriptions, resumes rest-hook deliveries left undone (alone on the
    /// storage; on a shared storage once this node holds the delivery lock) and follows the other nodes' changes.
    public func start() async throws {
        try await storage.migrate()
        try await reloadSubscriptions()
        if !storage.isShared { await setRestHookDelivery(true) }
        let changes = storage.changes()
        // Other nodes' events are read in batches: while one batch is read, the ids told meanwhile gather.
        let told = ToldEvents()
        let (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let reader = Task { [weak self] in
            for await change in changes {
                guard let self else { break }
                if case .event(let id) = change {
                    told.add(id)
                    wake.yield()
                } else {
                    await self.apply(change)
                }
            }
            wake.finish()
        }
        let publisher = Task { [weak self] in
            for await _ in wakes {
                guard let self else { return }
                let ids = told.takeAll()
                guard let results = try? await self.storage.appended(eventIDs: ids) else { continue }
                for result in results {
                    // Another node numbered it (and asked its own gate); what this node's gateway concluded about
                    // the patient is read afresh here too.
                    self.deliveryGate?.eventArrived(result.event)
                    self.hub.publish(result)
                    self.delivered(result)
                }
            }
        }
        state.withLock { $0.changes = [reader, publisher] }
    }

    /// Stops deliveries and live connections and closes the HTTP client.
    public func shutdown() async {
        let (deliverers, changes) = state.withLock { state in
            let all = Array(state.deliverers.values)
            state.deliverers = [:]
            state.deliversRestHooks = false
            defer { state.changes = [] }
            return (all, state.changes)
        }
        for task in changes { task.cancel() }
        for deliverer in deliverers { await deliverer.stop() }
        hub.disconnectAll()
        try? await httpClient.shutdown()
    }

    /// What another node did to the shared storage.
    private func apply(_ change: StorageChange) async {
        switch change {
        case .event:
            break  // read in batches by the publisher task of `start()`
        case .subscriptionsChanged:
            try? await reloadSubscriptions()
            // Turned off on another node: its live connections here end too.
            hub.disconnect(keeping: Set(cachedSubscriptions().map(\.id)))
            await refreshDeliverers()
        case .resync:
            try? await reloadSubscriptions()
            hub.catchUpAll()
            await refreshDeliverers()
        case .restHookDelivery(let delivers):
            await setRestHookDelivery(delivers)
        }
    }

    /// The engine's public base URL (for `Subscription` references and the websocket URL).
    public var publicBase: String {
        get { state.withLock { $0.publicBase } }
        set { state.withLock { $0.publicBase = newValue } }
    }
}

/// Ids of events other nodes stored, gathered between two reads.
private final class ToldEvents: Sendable {
    private let ids = Mutex<[Int64]>([])

    func add(_ id: Int64) { ids.withLock { $0.append(id) } }

    func takeAll() -> [Int64] {
        ids.withLock { ids in
            defer { ids = [] }
            return ids
        }
    }
}
