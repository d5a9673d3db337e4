import FHIR
import Foundation

/// Feeds one live connection (SSE or websocket) its subscription's events strictly in number order, each once:
/// first what is stored after the number the subscriber last saw, then live events from the hub. A live event
/// that skips ahead (another writer numbered in between) is filled in from storage, never lost. Heartbeats go out
/// when the connection has been idle for the heartbeat period; before each, and when the hub asks, the feed reads
/// storage after its last number, so an event whose wake-up never came (another node's, over a lost connection)
/// still arrives within one heartbeat period.
struct OrderedFeed {
    enum Output {
        case events([NumberedEvent], eventsSinceStart: Int64)
        case heartbeat(eventsSinceStart: Int64)
    }

    let engine: EventEngine
    let listener: LiveHub.Listener
    let subscriptionID: String
    var last: Int64
    let heartbeat: Duration

    mutating func run(send: (Output) async throws -> Void) async throws {
        let continuation = listener.continuation
        let period = heartbeat
        let beats = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: period)
                continuation.yield(.heartbeat)
            }
        }
        defer {
            beats.cancel()
            continuation.finish()
        }
        try await catchUp(through: nil, send: send)
        var lastSent = ContinuousClock.now
        for await signal in listener.signals {
            switch signal {
            case .heartbeat:
                if ContinuousClock.now - lastSent >= period * 0.9 {
                    let before = last
                    try await catchUp(through: nil, send: send)
                    if last == before { try await send(.heartbeat(eventsSinceStart: last)) }
                    lastSent = .now
                }
            case .catchUp:
                let before = last
                try await catchUp(through: nil, send: send)
                if last != before { lastSent = .now }
            case .event(let numbered):
                if numbered.number <= last { continue }
                if numbered.number == last + 1 {
                    try await send(.events([numbered], eventsSinceStart: numbered.number))
                    last = numbered.number
                } else {
                    try await catchUp(through: numbered.number, send: send)
                }
                lastSent = .now
            }
        }
    }

    private mutating func catchUp(through: Int64?, send: (Output) async throws -> Void) async throws {
        while true {
            let batch = try await engine.storage.events(subscriptionID: subscriptionID, after: last, through: through, limit: 200)
            guard let newest = batch.last else { return }
            try await send(.events(batch, eventsSinceStart: newest.number))
            last = newest.number
            if batch.count < 200 { return }
        }
    }
}
