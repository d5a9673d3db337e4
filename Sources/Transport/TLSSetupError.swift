import Words

/// A TLS file that cannot be used: which file, and what is wrong with it, in words an operator can act on
/// ("certifikatet er udløbet 01.03.2025", "nøglen passer ikke til certifikatet"). Raised at start-up, never later.
/// The problem is a phrase (`tls-setup.*` in `Assets/strings`); `description` is the whole error in Danish.
public struct TLSSetupError: Error, CustomStringConvertible, Sendable, Equatable, Phrased {
    public let file: String
    /// What is wrong with the file, not yet in any language.
    public let problem: Phrase

    public init(file: String, _ problem: Phrase) {
        self.file = file
        self.problem = problem
    }

    /// "FILE: problem".
    public var phrase: Phrase { Phrase("tls-setup.in-file", ["file": .text(file), "problem": .phrase(problem)]) }

    public var description: String { Catalog.danish.text(phrase) }
}
