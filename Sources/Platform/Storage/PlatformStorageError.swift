// PlatformStorageError: what a storage says when it cannot do what was asked.

/// The platform's storage cannot do what was asked (cannot open, cannot write).
public struct PlatformStorageError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
