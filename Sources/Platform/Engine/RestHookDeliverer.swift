import FHIR
import Foundation
import Synchronization

/// Delivers one rest-hook subscription's events in number order, each after the endpoint accepted the one before.
/// A failing endpoint is retried on the engine's `RestHookPolicy`; when that runs out, the subscription goes into
/// error with the reason, and its events stay numbered for `$events`. Idle, it sends heartbeats if asked to.
final class RestHookDeliverer: Sendable {
    private let engine: EventEngine
    private let subscriptionID: String
    private let wakeStream: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(engine: EventEngine, subscriptionID: String) {
        self.engine = engine
        self.subscriptionID = subscriptionID
        (wakeStream, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func start() {
        let running = Task { await self.run() }
        task.withLock { $0 = running }
    }

    func wake() {
        wakeContinuation.yield()
    }

    func cancel() {
        task.withLock { $0?.cancel() }
        wakeContinuation.finish()
    }

    func stop() async {
        let running = task.withLock { $0 }
        running?.cancel()
        wakeContinuation.finish()
        await running?.value
    }

    private func run() async {
        var iterator = wakeStream.makeAsyncIterator()
        while !Task.isCancelled {
            guard let record = try? await engine.storage.subscription(id: subscriptionID), record.status == .active else {
                return
            }
            let pending =
                (try? await engine.storage.events(
                    subscriptionID: subscriptionID, after: record.deliveredThrough, through: nil, limit: 50)) ?? []
            if pending.isEmpty {
                let heartbeat = record.heartbeatSeconds.map { Duration.seconds($0) }
                let woke = await waitForWake(&iterator, timeout: heartbeat)
                if Task.isCancelled { return }
                if !woke, heartbeat != nil {
                    let bundle = NotificationBundle.build(
                        subscription: record, type: "heartbeat", eventsSinceStart: record.deliveredThrough, events: [],
                        engineBase: engine.publicBase)
                    _ = await engine.post(bundle, to: record)
                }
                continue
            }
            for numbered in pending {
                let resources = record.payload == .fullResource ? await engine.resources(for: [numbered]) : [:]
                let bundle = NotificationBundle.build(
                    subscription: record, type: "event-notification", eventsSinceStart: numbered.number,
                    events: [numbered], engineBase: engine.publicBase, resources: resources)
                guard await deliver(bundle, record: record) else { return }
                try? await engine.storage.setDelivered(subscriptionID: subscriptionID, through: numbered.number)
            }
        }
    }

    /// Tries until accepted or the policy runs out; false (and the subscription in error) if it ran out.
    private func deliver(_ bundle: JSONValue, record: SubscriptionRecord) async -> Bool {
        var failure = await engine.post(bundle, to: record)
        for delay in engine.restHook.delays {
            guard let last = failure else { return true }
            if Task.isCancelled { return false }
            engine.logger.info("Rest-hook til \(record.endpoint ?? "-") fejlede (\(last)); prøver igen om \(delay)")
            try? await Task.sleep(for: delay)
            if Task.isCancelled { return false }
            failure = await engine.post(bundle, to: record)
        }
        guard let last = failure else { return true }
        await engine.markError(
            subscriptionID,
            message:
                "Endepunktet \(record.endpoint ?? "-") tog ikke imod notifikationen efter \(engine.restHook.delays.count + 1) forsøg (\(last)). Hændelserne er gemt; hent dem med $events, og sæt status til active for at genoptage."
        )
        return false
    }

    /// Waits for a wake-up; false if `timeout` passed first.
    private func waitForWake(_ iterator: inout AsyncStream<Void>.Iterator, timeout: Duration?) async -> Bool {
        guard let timeout else {
            return await iterator.next() != nil
        }
        let continuation = wakeContinuation
        let timer = Task {
            try await Task.sleep(for: timeout)
            continuation.yield()
        }
        let started = ContinuousClock.now
        _ = await iterator.next()
        timer.cancel()
        return ContinuousClock.now - started < timeout
    }
}
