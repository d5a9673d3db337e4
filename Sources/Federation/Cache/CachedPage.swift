import Foundation

/// One cached answer (a search page or a read), decrypted.
public struct CachedPage: Sendable {
    /// The sanitized FHIR JSON as it was stored.
    public let payload: Data
    public let etag: String?
    public let fetchedAt: Date
    public let expiresAt: Date

    public func isFresh(at now: Date) -> Bool { now < expiresAt }
}
