import AsyncHTTPClient
import EventStream
import Foundation
import Words

/// The live notifications for one user: which engine, which subscription wish (topic, filters, owner). Sets the
/// subscription up (reusing the user's own) and then listens, retrying with backoff when the engine is away.
/// With several platform nodes, the subscription is set up at the first that answers and the stream moves between
/// them (the numbers are the same on every node).
public struct EventFeed: Sendable {
    public let engineURL: String
    public let alternateURLs: [String]
    public let wish: SubscriptionSetup.Wish
    /// Behind a gateway: the user's token.
    public let token: AccessToken?
    /// The client the stream uses (one that trusts the platform's certificate).
    public let httpClient: HTTPClient

    public init(
        engineURL: String, alternateURLs: [String] = [], wish: SubscriptionSetup.Wish, token: AccessToken? = nil,
        httpClient: HTTPClient = .shared
    ) {
        self.httpClient = httpClient
        self.engineURL = engineURL
        self.alternateURLs = alternateURLs
        self.wish = wish
        self.token = token
    }

    public func updates() -> AsyncStream<StreamUpdate> {
        let urls = [engineURL] + alternateURLs.filter { $0 != engineURL }
        let wish = wish
        let token = token
        let http = httpClient
        return AsyncStream { continuation in
            let task = Task {
                var attempt = 0
                var next = 0
                while !Task.isCancelled {
                    do {
                        // The first node that answers sets the subscription up (or finds the user's own).
                        var found: (subscription: SubscriptionSetup.Subscription, url: String)?
                        var lastError: (any Error)?
                        for offset in 0..<urls.count {
                            let url = urls[(next + offset) % urls.count]
                            do {
                                found = (
                                    try await SubscriptionSetup.ensure(wish, engineURL: url, httpClient: http, token: token), url
                                )
                                next = (next + offset) % urls.count
                                break
                            } catch {
                                lastError = error
                            }
                        }
                        guard let found else { throw lastError ?? EventStreamError(Phrase("event-stream.no-node")) }
                        let subscription = found.subscription
                        let client = EventStreamClient(
                            engineURL: found.url, alternateURLs: urls, subscriptionID: subscription.id,
                            lastEventID: subscription.eventCount, httpClient: http, token: token)
                        for await update in client.updates() {
                            continuation.yield(update)
                        }
                        // The subscription is gone (the engine lost it): make a new one.
                    } catch {
                        attempt += 1
                        continuation.yield(
                            .state(
                                attempt > 3
                                    ? .offline((error as? any Phrased)?.phrase ?? .verbatim("\(error)"))
                                    : .reconnecting(attempt: attempt)))
                        try? await Task.sleep(for: .seconds(min(8, attempt)))
                    }
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
