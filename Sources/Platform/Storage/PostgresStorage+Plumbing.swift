// PostgresStorage: every query within the timeout, transactions retried, PostgreSQL's errors in words.

import FHIR
import Foundation
import PostgresNIO

extension PostgresStorage {
    /// Runs `body` within the storage timeout; a database that does not answer in time is an error that says so.
    @discardableResult
    func within<T: Sendable>(_ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
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
                    throw PlatformStorageError("PostgreSQL (\(location)) \(what) inden for \(DanishDuration.seconds(limit))")
                }
                return value
            }
        } catch {
            switch Self.unwrap(error) {
            case let conflict as StorageConflict: throw conflict
            case let psql as PSQLError where psql.serverInfo?[.sqlState] == "SC001":
                throw StorageConflict.subscriptionsChanged
            case let storage as PlatformStorageError: throw storage
            case let other: throw PlatformStorageError("PostgreSQL (\(location)): \(Self.describe(other))")
            }
        }
    }

    /// A transaction on a pooled connection, within the timeout; a deadlock or serialization failure is retried.
    func transaction<T: Sendable>(
        _ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await within("svarer ikke (\(what))") {
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

    /// A PostgreSQL error in words: the server's message and SQLSTATE when there is one.
    static func describe(_ error: any Error) -> String {
        let error = unwrap(error)
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] {
                let state = psql.serverInfo?[.sqlState].map { " (\($0))" } ?? ""
                return message + state
            }
            if let underlying = psql.underlying {
                let text = "\(underlying)"
                if text.contains("Connection refused") {
                    return "forbindelsen blev afvist (kører PostgreSQL, og er port og vært rigtige?)"
                }
                if text.contains("timed out") || text.contains("Timeout") { return "ingen svar (tidsgrænse)" }
                return "\(psql.code): \(text)"
            }
            return "\(psql.code)"
        }
        return "\(error)"
    }
}
