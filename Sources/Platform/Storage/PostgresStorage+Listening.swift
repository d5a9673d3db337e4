// PostgresStorage: hearing the other nodes (LISTEN/NOTIFY) and holding the rest-hook delivery lock.

import Foundation
import Logging
import PostgresNIO

extension PostgresStorage {
    /// The first call starts listening (one dedicated connection per storage).
    public func changes() -> AsyncStream<StorageChange> {
        let (stream, continuation) = AsyncStream.makeStream(of: StorageChange.self)
        let id = UUID()
        let first = listeners.withLock { listeners in
            defer { listeners[id] = continuation }
            return listeners.isEmpty && !listening.withLock { $0 }
        }
        if first { startListening() }
        continuation.onTermination = { [weak self] _ in self?.listeners.withLock { $0[id] = nil } }
        return stream
    }

    private func emit(_ change: StorageChange) {
        for continuation in listeners.withLock({ Array($0.values) }) { continuation.yield(change) }
    }

    private func startListening() {
        guard
            listening.withLock({ started in
                defer { started = true }
                return !started
            })
        else { return }
        running.withLock { tasks in
            tasks.append(Task { await self.listenLoop() })
        }
    }

    /// One dedicated connection: LISTEN for the other nodes, and try for the rest-hook delivery lock. Lost: say so,
    /// back off, reconnect, and tell the engine to resync.
    private func listenLoop() async {
        var delay = Duration.milliseconds(100)
        var lostSince: ContinuousClock.Instant?
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: self.connection, id: 1, logger: Self.quiet)
                if let lost = lostSince {
                    logger.warning(
                        "PostgreSQL (\(location)) svarer igen efter \(ContinuousClock.now - lost); læser det forsømte")
                    lostSince = nil
                }
                delay = .milliseconds(100)
                emit(.resync)
                defer { Task { try? await connection.close() } }
                try await connection.listen(on: Self.channel) { notifications in
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask { try await self.holdRestHookLock(connection) }
                        for try await notification in notifications {
                            self.heard(notification.payload)
                        }
                        group.cancelAll()
                    }
                }
            } catch {
                if Task.isCancelled { break }
                emit(.restHookDelivery(false))
                if lostSince == nil {
                    lostSince = .now
                    logger.error(
                        "PostgreSQL (\(location)) kan ikke nås: \(Self.describe(error).danish); adgange der skal logges afvises, prøver igen"
                    )
                }
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(2))
        }
        emit(.restHookDelivery(false))
    }

    /// Tries for the session lock every second until it has it; then keeps it for the connection's life.
    private func holdRestHookLock(_ connection: PostgresConnection) async throws {
        while !Task.isCancelled {
            var held = false
            for try await value in try await connection.query(
                "SELECT pg_try_advisory_lock(\(Self.restHookLockKey))", logger: Self.quiet
            ).decode(Bool.self) {
                held = value
            }
            if held {
                emit(.restHookDelivery(true))
                return
            }
            try await Task.sleep(for: .seconds(1))
        }
    }

    private func heard(_ payload: String) {
        let parts = payload.split(separator: " ")
        if parts == ["s"] {
            emit(.subscriptionsChanged)
        } else if parts.count == 3, parts[1] == "e", let id = Int64(parts[2]) {
            if parts[0] != nodeID { emit(.event(id)) }
        }
    }
}
