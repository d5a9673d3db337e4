import FHIR

/// An error answered as an OperationOutcome with an HTTP status.
public struct PlatformError: Error, Sendable, CustomStringConvertible {
    public let status: Int
    public let outcome: OperationOutcome

    public init(status: Int, code: String, _ message: String, expression: [String]? = nil) {
        self.status = status
        self.outcome = OperationOutcome(severity: "error", code: code, diagnostics: message, expression: expression)
    }

    public var description: String { "\(status): \(outcome.message)" }

    /// A gateway's refusal, with its Danish and English text.
    public init(denial: GatewayDenial) {
        self.status = denial.status
        self.outcome = denial.outcome
    }

    public static func invalid(_ message: String, expression: String? = nil) -> PlatformError {
        PlatformError(status: 400, code: "invalid", message, expression: expression.map { [$0] })
    }

    public static func notFound(_ message: String) -> PlatformError {
        PlatformError(status: 404, code: "not-found", message)
    }

    public static func unavailable(_ message: String) -> PlatformError {
        PlatformError(status: 503, code: "transient", message)
    }
}
