import FHIR
import Foundation
import HummingbirdWebSocket

/// The backport websocket channel: the client sends `bind-with-token: <token>` (from `$get-ws-binding-token`); the
/// engine answers with a handshake bundle, then sends each event as a notification bundle in a text frame, and
/// heartbeats when idle. A websocket has no resume of its own: a client that reconnects reads what it missed with
/// `$events?eventsSinceNumber=`.
struct WebSocketChannelHandler {
    let engine: EventEngine

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        var messages = inbound.messages(maxSize: 64 << 10).makeAsyncIterator()
        // A websocket that does not bind within 10 s is closed: an open socket costs the node, and binds nothing.
        let unbound = Task {
            try await Task.sleep(for: .seconds(10))
            try await outbound.close(.policyViolation, reason: "not bound in time")
        }
        defer { unbound.cancel() }
        guard let first = try await messages.next(), case .text(let text) = first else { return }
        unbound.cancel()
        let prefix = "bind-with-token:"
        guard text.hasPrefix(prefix) else {
            try await outbound.write(.text("error: send 'bind-with-token: <token>' first"))
            try await outbound.close(.unexpectedServerError, reason: "not bound")
            return
        }
        let token = text.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        guard let binding = try await engine.storage.bindingToken(token), binding.expires > Date(),
            let record = try await engine.storage.subscription(id: binding.subscriptionID), record.status != .off
        else {
            try await outbound.write(.text("error: unknown or expired token"))
            try await outbound.close(.policyViolation, reason: "token")
            return
        }
        let listener = engine.hub.listen(subscriptionID: record.id)
        let current = record.eventCount
        let subscription = record
        let handshake = NotificationBundle.build(
            subscription: subscription, type: "handshake", eventsSinceStart: current, events: [],
            engineBase: engine.publicBase)
        try await outbound.write(.text(handshake.serializedString()))
        let heartbeat = record.heartbeatSeconds.map { Duration.seconds($0) } ?? engine.defaultHeartbeat
        let engine = self.engine
        let feedTask = Task {
            var feed = OrderedFeed(
                engine: engine, listener: listener, subscriptionID: subscription.id, last: current, heartbeat: heartbeat)
            try await feed.run { output in
                switch output {
                case .heartbeat(let count):
                    let bundle = NotificationBundle.build(
                        subscription: subscription, type: "heartbeat", eventsSinceStart: count, events: [],
                        engineBase: engine.publicBase)
                    try await outbound.write(.text(bundle.serializedString()))
                case .events(let events, _):
                    let resources = subscription.payload == .fullResource ? await engine.resources(for: events) : [:]
                    for numbered in events {
                        let bundle = NotificationBundle.build(
                            subscription: subscription, type: "event-notification", eventsSinceStart: numbered.number,
                            events: [numbered], engineBase: engine.publicBase, resources: resources)
                        try await outbound.write(.text(bundle.serializedString()))
                    }
                }
            }
        }
        defer {
            listener.continuation.finish()
            feedTask.cancel()
        }
        // Reads until the client closes; then the feed stops too.
        while try await messages.next() != nil {}
    }
}
