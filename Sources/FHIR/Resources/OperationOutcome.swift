public struct OperationOutcome: FHIRResource, Error {
    public static let resourceType = "OperationOutcome"
    public internal(set) var resourceType: String = "OperationOutcome"
    public var id: String?
    public var meta: Meta?
    public var issue: [Issue]

    public init(issue: [Issue]) {
        self.issue = issue
    }

    /// One issue: `severity` (fatal | error | warning | information), `code` from the FHIR IssueType value set
    /// (invalid, not-found, not-supported, processing, security, forbidden, timeout, exception, ...).
    public init(severity: String = "error", code: String, diagnostics: String, expression: [String]? = nil) {
        var issue = Issue(severity: severity, code: code)
        issue.diagnostics = diagnostics
        issue.expression = expression
        self.issue = [issue]
    }

    public struct Issue: Codable, Sendable, Hashable {
        public var severity: String
        public var code: String
        public var details: CodeableConcept?
        public var diagnostics: String?
        public var location: [String]?
        public var expression: [String]?

        public init(severity: String, code: String, diagnostics: String? = nil) {
            self.severity = severity
            self.code = code
            self.diagnostics = diagnostics
        }
    }

    /// All diagnostics (or detail texts) in one line.
    public var message: String {
        issue.map { $0.diagnostics ?? $0.details?.displayText ?? $0.code }.joined(separator: "; ")
    }
}
