import Foundation
import Synchronization

/// Hands newly numbered events to the connections listening live (SSE and websocket) without ever waiting for
/// them: each listener has a bounded buffer, and a listener whose buffer is full (a subscriber that does not read)
/// is cut off; it resumes from its last event number when it comes back, so nothing is lost.
public final class LiveHub: Sendable {
    public enum Signal: Sendable {
        case event(NumberedEvent)
        case heartbeat
        /// Read from storage after the last number sent: something may have been stored without a wake-up (the
        /// connection to the other nodes was lost and is back).
        case catchUp
    }

    public struct Listener: Sendable {
        public let id: UUID
        public let subscriptionID: String
        public let signals: AsyncStream<Signal>
        let continuation: AsyncStream<Signal>.Continuation
    }

    private let listeners = Mutex<[String: [UUID: AsyncStream<Signal>.Continuation]]>([:])
    private let bufferSize: Int

    public init(bufferSize: Int = 512) {
        self.bufferSize = bufferSize
    }

    /// Starts listening to one subscription's events.
    public func listen(subscriptionID: String) -> Listener {
        let (stream, continuation) = AsyncStream.makeStream(of: Signal.self, bufferingPolicy: .bufferingOldest(bufferSize))
        let id = UUID()
        listeners.withLock { $0[subscriptionID, default: [:]][id] = continuation }
        continuation.onTermination = { [weak self] _ in self?.remove(subscriptionID: subscriptionID, id: id) }
        return Listener(id: id, subscriptionID: subscriptionID, signals: stream, continuation: continuation)
    }

    func remove(subscriptionID: String, id: UUID) {
        listeners.withLock { all in
            all[subscriptionID]?[id] = nil
            if all[subscriptionID]?.isEmpty == true { all[subscriptionID] = nil }
        }
    }

    /// Gives each subscription's listeners their event; never blocks.
    public func publish(_ result: AppendResult) {
        var overflowing: [AsyncStream<Signal>.Continuation] = []
        listeners.withLock { all in
            for (subscriptionID, number) in result.numbers {
                for continuation in (all[subscriptionID] ?? [:]).values {
                    if case .dropped = continuation.yield(.event(NumberedEvent(number: number, event: result.event))) {
                        overflowing.append(continuation)
                    }
                }
            }
        }
        for continuation in overflowing { continuation.finish() }
    }

    /// Asks every live connection to read what it may have missed from storage.
    public func catchUpAll() {
        let all = listeners.withLock { all in all.values.flatMap(\.values) }
        for continuation in all { continuation.yield(.catchUp) }
    }

    /// Number of live connections (all subscriptions).
    public var count: Int {
        listeners.withLock { $0.values.reduce(0) { $0 + $1.count } }
    }

    /// Ends every live connection (engine shutdown; tests of reconnecting clients).
    /// Ends every live connection; says how many there were.
    @discardableResult public func disconnectAll() -> Int {
        let all = listeners.withLock { all in all.values.flatMap(\.values) }
        for continuation in all { continuation.finish() }
        return all.count
    }

    /// Ends the live connections of every subscription not in `subscriptionIDs` (turned off on another node).
    public func disconnect(keeping subscriptionIDs: Set<String>) {
        let all = listeners.withLock { all in
            all.filter { !subscriptionIDs.contains($0.key) }.values.flatMap(\.values)
        }
        for continuation in all { continuation.finish() }
    }

    /// Ends the live connections of one subscription (deleted or turned off).
    public func disconnect(subscriptionID: String) {
        let all = listeners.withLock { Array(($0[subscriptionID] ?? [:]).values) }
        for continuation in all { continuation.finish() }
    }
}
