/// A TLS file that cannot be used: which file, and what is wrong with it, in words an operator can act on
/// ("certifikatet er udløbet 01.03.2025", "nøglen passer ikke til certifikatet"). Raised at start-up, never later.
public struct TLSSetupError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    public let problem: String

    public init(file: String, _ problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "\(file): \(problem)" }
}
