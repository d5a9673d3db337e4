import AsyncHTTPClient
import FHIR
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Transport
import Words

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

    private struct State {
        var subscriptions: [String: SubscriptionRecord] = [:]
        /// The storage's version of the subscription list `subscriptions` was read at.
        var subscriptionsVersion: Int64 = 0
        var deliverers: [String: RestHookDeliverer] = [:]
        /// This node delivers rest-hook notifications (always, alone on SQLite; the lock holder on PostgreSQL).
        var deliversRestHooks = false
        var changes: [Task<Void, Never>] = []
        var publicBase = "http://127.0.0.1"
        var resources: [String: JSONValue] = [:]
        var resourceOrder: [String] = []
        var observers: [@Sendable (EventRecord) -> Void] = []
    }

    private let state = Mutex(State())
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

    /// Reads the subscriptions (and their version) from storage again.
    func reloadSubscriptions() async throws {
        let snapshot = try await storage.subscriptionSnapshot()
        let known = state.withLock { $0.subscriptions }
        for record in snapshot.records where record.defect != nil && known[record.id]?.defect == nil {
            logger.error("Abonnement \(record.id): \(record.defect ?? "")")
        }
        state.withLock { state in
            state.subscriptions = Dictionary(snapshot.records.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
            state.subscriptionsVersion = snapshot.version
        }
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

    /// Becomes (or stops being) the node that delivers rest-hook notifications.
    private func setRestHookDelivery(_ delivers: Bool) async {
        let changed = state.withLock { state in
            defer { state.deliversRestHooks = delivers }
            return state.deliversRestHooks != delivers
        }
        guard changed else { return }
        if delivers {
            logger.debug("Denne node leverer rest-hook-notifikationer")
            await refreshDeliverers()
        } else {
            let deliverers = state.withLock { state in
                defer { state.deliverers = [:] }
                return Array(state.deliverers.values)
            }
            for deliverer in deliverers { await deliverer.stop() }
        }
    }

    /// Starts a deliverer for every active rest-hook subscription that lacks one (when this node delivers), and
    /// stops those whose subscription is no longer active.
    private func refreshDeliverers() async {
        let (start, stop) = state.withLock { state -> ([String], [RestHookDeliverer]) in
            guard state.deliversRestHooks else { return ([], []) }
            let active = Set(
                state.subscriptions.values.filter { $0.channel == .restHook && $0.status == .active }.map(\.id))
            let stale = state.deliverers.filter { !active.contains($0.key) }
            for id in stale.keys { state.deliverers[id] = nil }
            return (active.filter { state.deliverers[$0] == nil }.sorted(), Array(stale.values))
        }
        for deliverer in stop { await deliverer.stop() }
        for id in start { startDeliverer(id) }
    }

    /// A stored event (this node's or another's, already published to live connections) to observers and
    /// rest-hook deliverers.
    private func delivered(_ result: AppendResult) {
        for observer in state.withLock({ $0.observers }) { observer(result.event) }
        let restHooks = state.withLock { state in
            result.numbers.keys.compactMap { state.deliverers[$0] }
        }
        for deliverer in restHooks { deliverer.wake() }
    }

    /// The engine's public base URL (for `Subscription` references and the websocket URL).
    public var publicBase: String {
        get { state.withLock { $0.publicBase } }
        set { state.withLock { $0.publicBase = newValue } }
    }

    /// Calls `observer` with every event stored from now on (after its commit).
    public func onStored(_ observer: @escaping @Sendable (EventRecord) -> Void) {
        state.withLock { $0.observers.append(observer) }
    }

    /// True while this node delivers rest-hook notifications.
    public var deliversRestHooks: Bool {
        state.withLock { $0.deliversRestHooks }
    }

    public func cachedSubscriptions() -> [SubscriptionRecord] {
        state.withLock { Array($0.subscriptions.values) }
    }

    // MARK: Accepting notifications

    public struct AcceptSummary: Sendable, Equatable {
        public var type: String
        public var stored = 0
        public var duplicates = 0
        public var ignored: [String] = []
        public var deliveries = 0
    }

    /// Accepts one notification bundle from `sourceID`. Malformed: throws 400, nothing stored.
    public func accept(sourceID: String, body: Data) async throws(PlatformError) -> AcceptSummary {
        guard let base = sources[sourceID] else {
            throw PlatformError.notFound(
                "Ukendt kilde '\(sourceID)'; kendte kilder: \(sources.keys.sorted().joined(separator: ", "))")
        }
        let notification = try IncomingNotification.parse(body)
        var summary = AcceptSummary(type: notification.type)
        guard notification.carriesEvents else { return summary }
        let hint = notification.topic.flatMap(EventTopic.named)
        for (index, incoming) in notification.events.enumerated() {
            guard let reference = incoming.focus else {
                summary.ignored.append("hændelse \(index + 1): intet focus")
                continue
            }
            let focus = Self.absolute(reference, base: base)
            guard Self.lies(focus, within: base) else {
                summary.ignored.append(
                    "hændelse \(index + 1): focus \(TextSanitizer.cleanLine(reference, maxLength: 120)) ligger uden for kildens "
                        + "egen FHIR-base og bruges ikke")
                continue
            }
            var resource = notification.resources[focus] ?? notification.resources[reference]
            if resource == nil { resource = await fetch(focus) }
            var patient: JSONValue?
            if let resource {
                if resource["resourceType"]?.stringValue == "Patient" {
                    patient = resource
                } else if let patientReference = EventClassifier.patientReference(of: resource) {
                    let url = Self.absolute(patientReference, base: base)
                    if Self.lies(url, within: base) {
                        patient = notification.resources[url] ?? notification.resources[patientReference]
                        if patient == nil { patient = await fetch(url) }
                    }
                }
            }
            let previous: [EventCode]
            do {
                previous = try await storage.codes(forFocus: focus)
            } catch {
                throw PlatformError.unavailable("Hændelsesloggen kan ikke læses: \(error)")
            }
            let code: EventCode?
            if let resource {
                code = EventClassifier.code(for: resource, hint: hint, previous: previous)
            } else {
                code = hint.flatMap { $0.codes.count == 1 ? $0.codes[0] : nil }
            }
            guard let code, let topic = hint ?? EventTopic.primary(for: code) else {
                summary.ignored.append("hændelse \(index + 1): ingen af platformens emner (\(reference))")
                continue
            }
            let organization: (code: String?, name: String?) = resource.map(EventClassifier.organization) ?? (nil, nil)
            let key = [
                sourceID, notification.subscription ?? "-", incoming.number.map(String.init) ?? UUID().uuidString, focus,
            ].joined(separator: "|")
            let record = EventRecord(
                sourceKey: key, sourceID: sourceID, topic: topic.slug, code: code, focus: focus,
                patientCPR: patient.flatMap(EventClassifier.cpr), organization: organization.code,
                organizationName: organization.name, municipality: patient.flatMap(EventClassifier.municipality),
                occurred: incoming.timestamp ?? Date(), accepted: Date())
            let result: AppendResult?
            do {
                result = try await store(record)
            } catch {
                logger.error("Hændelsen kunne ikke gemmes: \(error)")
                throw PlatformError.unavailable("Hændelsen kunne ikke gemmes; prøv igen: \(error)")
            }
            guard let result else {
                summary.duplicates += 1
                continue
            }
            summary.stored += 1
            summary.deliveries += result.numbers.count
            if let resource { remember(resource, at: focus) }
            delivered(result)
        }
        if !summary.ignored.isEmpty {
            logger.info("Notifikation fra \(sourceID): \(summary.ignored.joined(separator: "; "))")
        }
        return summary
    }

    /// Stores and numbers one event against the subscriptions as they are in storage: when another node changed
    /// them since this node read them, read them again and match again.
    private func store(_ record: EventRecord) async throws -> AppendResult? {
        let gate = deliveryGate
        // The event may open or close a relationship: what was concluded about the patient is read afresh.
        gate?.eventArrived(record)
        var told: [String: Bool] = [:]
        var attempt = 0
        while true {
            attempt += 1
            let (candidates, version) = state.withLock { state in
                (state.subscriptions.values.filter { $0.matches(record) }, state.subscriptionsVersion)
            }
            var matching = candidates.map(\.id)
            if let gate {
                matching = await admitted(candidates, record, gate: gate, decided: &told)
            }
            do {
                // Published from the commit: on SQLite (one writer) live connections get numbers in order.
                let hub = self.hub
                return try await storage.append(record, for: matching, subscriptionsVersion: version) {
                    hub.publish($0)
                }
            } catch StorageConflict.subscriptionsChanged where attempt < 10 {
                try await reloadSubscriptions()
            }
        }
    }

    /// The subscriptions among `candidates` whose audience may be told of `event`, each distinct audience asked
    /// once (at once, side by side); a subscription without an audience tells no one (fail closed).
    private func admitted(
        _ candidates: [SubscriptionRecord], _ event: EventRecord, gate: any DeliveryGate, decided: inout [String: Bool]
    ) async -> [String] {
        var open: [String: Identity] = [:]
        for audience in candidates.compactMap(\.audience) where decided[audience.accessKey] == nil {
            open[audience.accessKey] = audience
        }
        if !open.isEmpty {
            let answers = await withTaskGroup(of: (String, Bool).self) { group in
                for (key, audience) in open {
                    group.addTask { (key, await gate.mayBeTold(audience, about: event)) }
                }
                var answers: [(String, Bool)] = []
                for await answer in group { answers.append(answer) }
                return answers
            }
            for (key, told) in answers { decided[key] = told }
        }
        var out: [String] = []
        var withheld = 0
        for candidate in candidates {
            if let audience = candidate.audience, decided[audience.accessKey] == true {
                out.append(candidate.id)
            } else {
                withheld += 1
            }
        }
        if withheld > 0 {
            logger.debug(
                "Hændelsen \(event.code.rawValue) holdt tilbage fra \(withheld) abonnement(er) uden adgang til patienten")
        }
        return out
    }

    /// `reference` made absolute against the source's base URL.
    /// Whether `url` names a resource at `base` (`base/Type/id`, no `..`, query or fragment): a source may announce
    /// only its own resources, and the engine fetches nothing else in its name.
    static func lies(_ url: String, within base: String) -> Bool {
        guard url.hasPrefix(base + "/") else { return false }
        let rest = url.dropFirst(base.count + 1)
        guard !rest.isEmpty, !rest.contains("?"), !rest.contains("#"), !rest.contains("%"), !rest.contains("\\") else {
            return false
        }
        return !rest.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0 == "." || $0.isEmpty }
    }

    static func absolute(_ reference: String, base: String) -> String {
        if reference.hasPrefix("http://") || reference.hasPrefix("https://") || reference.hasPrefix("urn:") {
            return reference
        }
        return base + "/" + reference.drop { $0 == "/" }
    }

    private func remember(_ resource: JSONValue, at url: String) {
        state.withLock { state in
            if state.resources.updateValue(resource, forKey: url) == nil { state.resourceOrder.append(url) }
            if state.resourceOrder.count > 2000 {
                let old = state.resourceOrder.removeFirst()
                state.resources[old] = nil
            }
        }
    }

    /// A resource by its absolute URL, only from a registered source; nil if it cannot be had within 3 s.
    func fetch(_ url: String) async -> JSONValue? {
        guard sources.values.contains(where: { url.hasPrefix($0 + "/") }) else { return nil }
        do {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: "application/fhir+json")
            let response = try await httpClient.execute(request, timeout: .seconds(3))
            guard response.status == .ok else { return nil }
            let body = try await response.body.collect(upTo: 4 << 20)
            return try JSONValue.parse(Data(buffer: body))
        } catch {
            return nil
        }
    }

    /// Focus resources for full-resource payloads: kept from the notification when it carried them, else fetched.
    func resources(for events: [NumberedEvent]) async -> [String: JSONValue] {
        var found: [String: JSONValue] = [:]
        for numbered in events {
            let focus = numbered.event.focus
            if let known = state.withLock({ $0.resources[focus] }) {
                found[focus] = known
            } else if let fetched = await fetch(focus) {
                found[focus] = fetched
                remember(fetched, at: focus)
            }
        }
        return found
    }

    // MARK: Subscriptions

    /// Creates a subscription from an R4 backport Subscription resource. Rest-hook subscriptions get a handshake
    /// first; if the endpoint does not answer, the subscription is created in error and says why.
    /// - Parameters:
    ///   - owner: the authenticated user (behind a gateway), who then owns it whatever the request says.
    ///   - audience: what the owner may open (behind a gateway); each event is delivered only if they may.
    ///   - check: refuses a subscription the user may not have, before anything is stored.
    public func createSubscription(
        _ body: Data, owner: String? = nil, audience: Identity? = nil,
        check: (@Sendable (SubscriptionRecord) async throws(GatewayDenial) -> Void)? = nil
    ) async throws(PlatformError) -> SubscriptionRecord {
        var record = try SubscriptionRequest.parse(body)
        if let owner { record.owner = owner }
        record.audience = audience
        if let check {
            do {
                try await check(record)
            } catch {
                throw PlatformError(denial: error)
            }
        }
        if record.channel == .restHook {
            if let failure = await handshake(record) {
                record.status = .error
                record.error = failure
            }
        }
        do {
            try await storage.insertSubscription(record)
        } catch {
            throw PlatformError.unavailable("Abonnementet kunne ikke gemmes: \(error)")
        }
        state.withLock { $0.subscriptions[record.id] = record }
        // Read back with the list's new version (if that fails, the next append finds out and reads again).
        try? await reloadSubscriptions()
        await refreshDeliverers()
        return record
    }

    public func subscription(_ id: String) async throws(PlatformError) -> SubscriptionRecord {
        let found: SubscriptionRecord?
        do {
            found = try await storage.subscription(id: id)
        } catch {
            throw PlatformError.unavailable("Abonnementet kan ikke læses: \(error)")
        }
        guard let found else { throw PlatformError.notFound("Intet abonnement med id '\(id)'") }
        return found
    }

    /// Changes the status: `off` stops it (and closes its live connections); `active` or `requested` brings a
    /// subscription in error back, and its rest-hook delivers what it missed.
    public func setStatus(
        _ id: String, to status: SubscriptionRecord.Status
    ) async throws(PlatformError)
        -> SubscriptionRecord
    {
        var record = try await subscription(id)
        let newStatus: SubscriptionRecord.Status = status == .requested ? .active : status
        do {
            try await storage.updateStatus(subscriptionID: id, status: newStatus, error: nil)
        } catch {
            throw PlatformError.unavailable("Abonnementet kan ikke ændres: \(error)")
        }
        record.status = newStatus
        record.error = nil
        let updated = record
        state.withLock { state in
            if newStatus == .off { state.subscriptions[id] = nil } else { state.subscriptions[id] = updated }
        }
        try? await reloadSubscriptions()
        if newStatus == .off {
            hub.disconnect(subscriptionID: id)
            await stopDeliverer(id)
        } else if record.channel == .restHook {
            // Back from error: a new deliverer starts from what the endpoint accepted last.
            await stopDeliverer(id)
            await refreshDeliverers()
        }
        return record
    }

    func markError(_ id: String, message: String) async {
        try? await storage.updateStatus(subscriptionID: id, status: .error, error: message)
        state.withLock { state in
            state.subscriptions[id]?.status = .error
            state.subscriptions[id]?.error = message
            state.deliverers[id] = nil
        }
        try? await reloadSubscriptions()
        logger.warning("Abonnement \(id) er i fejl: \(message)")
    }

    // MARK: Binding tokens

    public func bindingToken(for id: String) async throws(PlatformError) -> BindingToken {
        let record = try await subscription(id)
        guard record.channel == .websocket else {
            throw PlatformError.invalid("Abonnementet \(id) bruger ikke websocket-kanalen (\(record.channel.rawValue))")
        }
        var bytes = [UInt8](repeating: 0, count: 24)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        let token = BindingToken(
            token: bytes.hexString, subscriptionID: id,
            expires: Date().addingTimeInterval(600))
        do {
            try await storage.saveBindingToken(token)
        } catch {
            throw PlatformError.unavailable("Token kan ikke gemmes: \(error)")
        }
        return token
    }

    // MARK: Rest-hook

    private func startDeliverer(_ id: String) {
        let deliverer = RestHookDeliverer(engine: self, subscriptionID: id)
        let previous = state.withLock { state in
            let previous = state.deliverers[id]
            state.deliverers[id] = deliverer
            return previous
        }
        previous?.cancel()
        deliverer.start()
    }

    private func stopDeliverer(_ id: String) async {
        let deliverer = state.withLock { $0.deliverers.removeValue(forKey: id) }
        await deliverer?.stop()
    }

    /// POSTs a handshake; nil when the endpoint accepted it, else why not.
    func handshake(_ record: SubscriptionRecord) async -> String? {
        let bundle = NotificationBundle.build(
            subscription: record, type: "handshake", eventsSinceStart: 0, events: [], engineBase: publicBase)
        return await post(bundle, to: record)
    }

    /// POSTs one notification bundle to a rest-hook endpoint; nil on 2xx, else the failure.
    func post(_ bundle: JSONValue, to record: SubscriptionRecord) async -> String? {
        guard let endpoint = record.endpoint else { return "intet endepunkt" }
        do {
            var request = HTTPClientRequest(url: endpoint)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/fhir+json")
            for header in record.headers {
                guard let colon = header.firstIndex(of: ":") else { continue }
                request.headers.add(
                    name: String(header[..<colon]).trimmingCharacters(in: .whitespaces),
                    value: String(header[header.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
            }
            request.body = .bytes(bundle.serialized())
            let response = try await httpClient.execute(request, timeout: TimeAmount(restHook.timeout))
            _ = try? await response.body.collect(upTo: 1 << 20)
            guard (200..<300).contains(response.status.code) else { return "HTTP \(response.status.code)" }
            return nil
        } catch {
            return Self.describeDeliveryFailure(error, timeout: restHook.timeout)
        }
    }

    /// Why a rest-hook POST failed, in Danish, for the subscription's `error` and the log.
    static func describeDeliveryFailure(_ error: any Error, timeout: Duration) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .getConnectionFromPoolTimeout:
                let milliseconds = Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
                return "endepunktet " + Phrase.timeout(milliseconds: milliseconds).danish
            case .remoteConnectionClosed:
                return "endepunktet lukkede forbindelsen uden svar"
            default: break
            }
        }
        let text = TextSanitizer.cleanLine(String(describing: error), maxLength: 200)
        if text.lowercased().contains("refused") {
            return "endepunktet afviste forbindelsen"
        }
        return "endepunktet kunne ikke nås (\(text))"
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
