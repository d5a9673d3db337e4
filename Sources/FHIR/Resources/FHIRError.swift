/// An answer that is a FHIR OperationOutcome with an HTTP status: bad parameters (400), unknown resource or type
/// (404), wrong method (405), a store that cannot be reached (503), and so on. The demo sources and the platform
/// answer their errors with it.
public struct FHIRError: Error, Sendable, CustomStringConvertible {
    public let status: Int
    public let outcome: OperationOutcome

    public init(status: Int, code: String, _ message: String, expression: [String]? = nil) {
        self.status = status
        self.outcome = OperationOutcome(severity: "error", code: code, diagnostics: message, expression: expression)
    }

    /// An answer with a ready OperationOutcome (for example one in two languages).
    public init(status: Int, outcome: OperationOutcome) {
        self.status = status
        self.outcome = outcome
    }

    public var description: String { "\(status): \(outcome.message)" }

    /// 400 `invalid`; `expression` names the offending parameter or element.
    public static func invalid(_ message: String, expression: String? = nil) -> FHIRError {
        FHIRError(status: 400, code: "invalid", message, expression: expression.map { [$0] })
    }

    public static func invalid(_ message: String, parameter: String?) -> FHIRError {
        invalid(message, expression: parameter)
    }

    public static func notSupported(_ message: String, status: Int = 400) -> FHIRError {
        FHIRError(status: status, code: "not-supported", message)
    }

    public static func notFound(_ message: String) -> FHIRError {
        FHIRError(status: 404, code: "not-found", message)
    }

    /// 503 `transient`: try again.
    public static func unavailable(_ message: String) -> FHIRError {
        FHIRError(status: 503, code: "transient", message)
    }
}
