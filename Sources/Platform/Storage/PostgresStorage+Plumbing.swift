// PostgresStorage: every query within the timeout, transactions retried, PostgreSQL's errors in words.

import Foundation
import PostgresNIO
import Words

extension PostgresStorage {
    /// Runs `body` within the storage timeout; a database that does not answer in time is an error that says so,
    /// and what could not be done (`what`) when given.
    @discardableResult
    func within<T: Sendable>(
        _ what: Phrase? = nil, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let limit = timeout
        let location = self.location
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await body() }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let value = first else {
                    let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
                    var arguments: [String: Phrase.Argument] = ["location": .text(location), "limit": .seconds(seconds)]
                    if let what { arguments["what"] = .phrase(what) }
                    throw PlatformStorageError(Phrase(what == nil ? "storage.timeout" : "storage.timeout-doing", arguments))
                }
                return value
            }
        } catch {
            switch Self.unwrap(error) {
            case let conflict as StorageConflict: throw conflict
            case let psql as PSQLError where psql.serverInfo?[.sqlState] == "SC001":
                throw StorageConflict.subscriptionsChanged
            case let storage as PlatformStorageError: throw storage
            case let other:
                throw PlatformStorageError(
                    Phrase("storage.failed", ["location": .text(location), "error": .phrase(Self.describe(other))]))
            }
        }
    }

    /// A transaction on a pooled connection, within the timeout; a deadlock or serialization failure is retried.
    func transaction<T: Sendable>(
        _ what: Phrase, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await within(what) {
                    try await self.client.withTransaction(logger: Self.quiet) { db in try await body(db) }
                }
            } catch let error as PlatformStorageError where attempt < 4 && Self.isRetryable(error) {
                continue
            }
        }
    }

    /// A deadlock (40P01) or serialization failure (40001): the transaction can simply run again.
    static func isRetryable(_ error: PlatformStorageError) -> Bool {
        error.description.contains("(40P01)") || error.description.contains("(40001)")
    }

    /// The error a transaction's body threw, out of postgres-nio's wrapper.
    static func unwrap(_ error: any Error) -> any Error {
        if let transaction = error as? PostgresTransactionError,
            let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError
        {
            return unwrap(inner)
        }
        return error
    }

    /// A PostgreSQL error in words: the server's message and SQLSTATE when there is one (as the server wrote it).
    static func describe(_ error: any Error) -> Phrase {
        let error = unwrap(error)
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] {
                let state = psql.serverInfo?[.sqlState].map { " (\($0))" } ?? ""
                return .verbatim(message + state)
            }
            if let underlying = psql.underlying {
                let text = "\(underlying)"
                if text.contains("Connection refused") { return Phrase("storage.connection-refused") }
                if text.contains("timed out") || text.contains("Timeout") { return Phrase("storage.no-answer") }
                return .verbatim("\(psql.code): \(text)")
            }
            return .verbatim("\(psql.code)")
        }
        return .verbatim("\(error)")
    }
}
