import EventStream
import Foundation

/// The live notifications for one user: which engine, which subscription wish (topic, filters, owner). Sets the
/// subscription up (reusing the user's own) and then listens, retrying with backoff when the engine is away.
public struct EventFeed: Sendable {
    public let engineURL: String
    public let wish: SubscriptionSetup.Wish
    /// Behind a gateway: the user's token.
    public let token: AccessToken?

    public init(engineURL: String, wish: SubscriptionSetup.Wish, token: AccessToken? = nil) {
        self.engineURL = engineURL
        self.wish = wish
        self.token = token
    }

    public func updates() -> AsyncStream<StreamUpdate> {
        let engineURL = engineURL
        let wish = wish
        let token = token
        return AsyncStream { continuation in
            let task = Task {
                var attempt = 0
                while !Task.isCancelled {
                    do {
                        let subscription = try await SubscriptionSetup.ensure(wish, engineURL: engineURL, token: token)
                        let client = EventStreamClient(
                            engineURL: engineURL, subscriptionID: subscription.id, lastEventID: subscription.eventCount,
                            token: token)
                        for await update in client.updates() {
                            continuation.yield(update)
                        }
                        // The subscription is gone (the engine lost it): make a new one.
                    } catch {
                        attempt += 1
                        continuation.yield(.state(attempt > 3 ? .offline("\(error)") : .reconnecting(attempt: attempt)))
                        try? await Task.sleep(for: .seconds(min(8, attempt)))
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
