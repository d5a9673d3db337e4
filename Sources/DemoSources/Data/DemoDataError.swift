/// A problem with the demo data, naming the file (and line) so it can be fixed.
public struct DemoDataError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int?
    public let reason: String

    public init(file: String, line: Int? = nil, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }

    public var description: String {
        if let line { return "\(file), linje \(line): \(reason)" }
        return "\(file): \(reason)"
    }
}
