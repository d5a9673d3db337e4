// PlatformStorageError: what a storage says when it cannot do what was asked.

import Words

/// The platform's storage cannot do what was asked (cannot open, cannot write), or a node cannot start with what it
/// was given (`storage.*` in `Assets/strings`); `description` is it in Danish.
public struct PlatformStorageError: Error, CustomStringConvertible, Sendable, Phrased {
    public let phrase: Phrase

    public init(_ phrase: Phrase) {
        self.phrase = phrase
    }

    public var description: String { Catalog.danish.text(phrase) }
}
