import FHIR

/// An answer that is a FHIR OperationOutcome with an HTTP status: bad parameters (400), unknown resource or type
/// (404), wrong method (405), and so on.
public struct FHIRError: Error, Sendable, CustomStringConvertible {
    public let status: Int
    public let outcome: OperationOutcome

    public init(status: Int, code: String, _ message: String, expression: [String]? = nil) {
        self.status = status
        self.outcome = OperationOutcome(severity: "error", code: code, diagnostics: message, expression: expression)
    }

    public var description: String { "\(status): \(outcome.message)" }

    static func invalid(_ message: String, parameter: String? = nil) -> FHIRError {
        FHIRError(status: 400, code: "invalid", message, expression: parameter.map { [$0] })
    }

    static func notSupported(_ message: String, status: Int = 400) -> FHIRError {
        FHIRError(status: status, code: "not-supported", message)
    }

    static func notFound(_ message: String) -> FHIRError {
        FHIRError(status: 404, code: "not-found", message)
    }
}
