// EventEngine: the registry of subscriptions: created, read, turned on and off, bound to a websocket.

import FHIR
import Foundation
import Logging
import Words

extension EventEngine {
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

    public func cachedSubscriptions() -> [SubscriptionRecord] {
        state.withLock { Array($0.subscriptions.values) }
    }

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
            throw PlatformError.unavailable(Phrase("outcome.subscription-unsaved", ["error": .error(error)]))
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
            throw PlatformError.unavailable(Phrase("outcome.subscription-unreadable", ["error": .error(error)]))
        }
        guard let found else { throw PlatformError.notFound(Phrase("denial.no-subscription", ["id": .text(id)])) }
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
            throw PlatformError.unavailable(Phrase("outcome.subscription-unchangeable", ["error": .error(error)]))
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

    public func bindingToken(for id: String) async throws(PlatformError) -> BindingToken {
        let record = try await subscription(id)
        guard record.channel == .websocket else {
            throw PlatformError.invalid(
                Phrase("outcome.subscription-not-websocket", ["id": .text(id), "channel": .text(record.channel.rawValue)]))
        }
        var bytes = [UInt8](repeating: 0, count: 24)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255) }
        let token = BindingToken(
            token: bytes.hexString, subscriptionID: id,
            expires: Date().addingTimeInterval(600))
        do {
            try await storage.saveBindingToken(token)
        } catch {
            throw PlatformError.unavailable(Phrase("outcome.token-unsaved", ["error": .error(error)]))
        }
        return token
    }
}
