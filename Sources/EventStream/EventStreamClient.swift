import AsyncHTTPClient
import FHIR
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization
import Words

/// Listens to one subscription over the engine's SSE channel and keeps listening: on a dropped connection it
/// reconnects with backoff and resumes after the last event number it saw (`Last-Event-ID`), and it never hands
/// on an event twice. A gap in the numbers (which the engine should never leave) is filled from `$events`.
/// With several platform nodes (`alternateURLs`), a node that does not answer is left for the next one; the numbers
/// are the same on every node, so the stream resumes there from the same place.
public final class EventStreamClient: Sendable {
    public struct Backoff: Sendable {
        public var initial: Duration
        public var maximum: Duration
        /// After this many failed attempts in a row the state says offline (it keeps trying).
        public var offlineAfter: Int

        public init(initial: Duration = .milliseconds(250), maximum: Duration = .seconds(8), offlineAfter: Int = 4) {
            self.initial = initial
            self.maximum = maximum
            self.offlineAfter = offlineAfter
        }

        func delay(attempt: Int) -> Duration {
            var delay = initial
            for _ in 1..<max(1, attempt) where delay < maximum { delay = delay * 2 }
            let capped = min(delay, maximum)
            // Jitter (up to a quarter) so many clients do not come back in step.
            return capped + capped * Double.random(in: 0..<0.25)
        }
    }

    /// Every node that serves the subscription, the first one first.
    public let engineURLs: [String]
    private let current = Mutex(0)
    /// The node in use now.
    public var engineURL: String { engineURLs[current.withLock { $0 }] }
    public let subscriptionID: String
    let httpClient: HTTPClient
    /// Behind a gateway: the user's access token for every request.
    let token: AccessToken?
    let backoff: Backoff
    /// No byte for this long (heartbeats included) means the connection is dead.
    let silenceLimit: Duration
    private let lastNumber: Mutex<Int64?>

    /// - Parameters:
    ///   - lastEventID: the last number seen before (resume), or nil to start from now.
    ///   - alternateURLs: other nodes of the same platform, tried in turn when the one in use does not answer.
    public init(
        engineURL: String, alternateURLs: [String] = [], subscriptionID: String, lastEventID: Int64? = nil,
        httpClient: HTTPClient = .shared, backoff: Backoff = Backoff(), silenceLimit: Duration = .seconds(35),
        token: AccessToken? = nil
    ) {
        self.token = token
        self.engineURLs = [engineURL] + alternateURLs.filter { $0 != engineURL }
        self.subscriptionID = subscriptionID
        self.httpClient = httpClient
        self.backoff = backoff
        self.silenceLimit = silenceLimit
        self.lastNumber = Mutex(lastEventID)
    }

    /// The last event number handed on.
    public var lastEventID: Int64? { lastNumber.withLock { $0 } }

    /// The stream of state changes and notifications; ends when the consuming task is cancelled.
    public func updates() -> AsyncStream<StreamUpdate> {
        AsyncStream { continuation in
            let task = Task { await self.run(continuation) }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func run(_ out: AsyncStream<StreamUpdate>.Continuation) async {
        var failures = 0
        var untried = engineURLs.count - 1
        out.yield(.state(.connecting))
        while !Task.isCancelled {
            let outcome = await connectOnce(out) {
                failures = 0
                untried = engineURLs.count - 1
            }
            if Task.isCancelled { break }
            if case .gone(let reason) = outcome {
                out.yield(.state(.offline(reason)))
                break
            }
            if case .failed = outcome, engineURLs.count > 1 {
                // This node does not answer: the next one, at once while some are untried this round.
                current.withLock { $0 = ($0 + 1) % engineURLs.count }
                if untried > 0 {
                    untried -= 1
                    out.yield(.state(.reconnecting(attempt: max(1, failures))))
                    continue
                }
                untried = engineURLs.count - 1
            }
            failures += 1
            if failures >= backoff.offlineAfter {
                let reason: Phrase
                if case .failed(let why) = outcome { reason = why } else { reason = Phrase("event-stream.dropped") }
                out.yield(.state(.offline(reason)))
            } else {
                out.yield(.state(.reconnecting(attempt: failures)))
            }
            try? await Task.sleep(
                for: failures == 1 && outcome == .dropped ? .milliseconds(50) : backoff.delay(attempt: failures))
        }
        out.finish()
    }

    enum Outcome: Equatable {
        case dropped
        case failed(Phrase)
        case gone(Phrase)
    }

    private func connectOnce(_ out: AsyncStream<StreamUpdate>.Continuation, connected: () -> Void) async -> Outcome {
        var request = HTTPClientRequest(url: "\(engineURL)/Subscription/\(subscriptionID)/$sse")
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let last = lastEventID { request.headers.add(name: "Last-Event-ID", value: String(last)) }
        if let token, let value = try? await token() { request.headers.add(name: "Authorization", value: "Bearer \(value)") }
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, deadline: .now() + .seconds(5))
        } catch {
            return .failed(Phrase("event-stream.no-answer", ["url": .text(engineURL)]))
        }
        guard response.status == .ok else {
            let body = try? await response.body.collect(upTo: 1 << 16)
            let message = Phrase.outcome(body.flatMap { try? JSONValue.parse(Data(buffer: $0)) })
            if response.status == .notFound || response.status == .gone {
                return .gone(message ?? Phrase("event-stream.gone"))
            }
            return .failed(message ?? Phrase("event-stream.http", ["status": .integer(Int(response.status.code))]))
        }
        connected()
        out.yield(.state(.live))
        let silenceLimit = self.silenceLimit
        // A watchdog ends the connection when nothing (not even a heartbeat) has come for too long.
        let activity = ActivityClock()
        let reading = Task {
            var parser = SSEParser()
            do {
                for try await chunk in response.body {
                    activity.touch()
                    for event in parser.feed(chunk.readableBytesView) {
                        try await handle(event, out)
                    }
                }
            } catch {}
        }
        let watchdog = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                if activity.silence > silenceLimit {
                    reading.cancel()
                    return
                }
            }
        }
        await withTaskCancellationHandler {
            await reading.value
        } onCancel: {
            reading.cancel()
        }
        watchdog.cancel()
        return .dropped
    }

    private func handle(_ event: SSEParser.Event, _ out: AsyncStream<StreamUpdate>.Continuation) async throws {
        guard event.event == "event-notification" else { return }
        let parsed = try EventNotification.parse(bundle: Data(event.data.utf8))
        for notification in parsed.events {
            let last = lastEventID ?? 0
            if notification.number <= last { continue }
            if notification.number > last + 1, lastEventID != nil {
                for missing in try await fetchEvents(after: last, through: notification.number - 1) {
                    deliver(missing, out)
                }
            }
            deliver(notification, out)
        }
    }

    private func deliver(_ notification: EventNotification, _ out: AsyncStream<StreamUpdate>.Continuation) {
        let fresh = lastNumber.withLock { last -> Bool in
            guard notification.number > (last ?? 0) else { return false }
            last = notification.number
            return true
        }
        if fresh { out.yield(.notification(notification)) }
    }

    /// Events `(after, through]` from `$events`, for recovery.
    public func fetchEvents(after: Int64, through: Int64?) async throws -> [EventNotification] {
        var url = "\(engineURL)/Subscription/\(subscriptionID)/$events?eventsSinceNumber=\(after + 1)&content=id-only"
        if let through { url += "&eventsUntilNumber=\(through)" }
        var request = HTTPClientRequest(url: url)
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(try await token())") }
        let response = try await httpClient.execute(request, timeout: .seconds(5))
        guard response.status == .ok else {
            throw EventStreamError(Phrase("event-stream.events-http", ["status": .integer(Int(response.status.code))]))
        }
        let body = try await response.body.collect(upTo: 16 << 20)
        return try EventNotification.parse(bundle: Data(buffer: body)).events.sorted { $0.number < $1.number }
    }
}

/// When the last byte came.
final class ActivityClock: Sendable {
    private let last = Mutex(ContinuousClock.now)

    func touch() { last.withLock { $0 = .now } }

    var silence: Duration { ContinuousClock.now - last.withLock { $0 } }
}
