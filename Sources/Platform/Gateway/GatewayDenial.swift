import FHIR

/// A request the gateway will not serve, with the reason in Danish and English, answered as an OperationOutcome.
public struct GatewayDenial: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: Int
    /// FHIR issue type: `login` (401), `forbidden`, `suppressed` (withheld by the patient's wish), `throttled`, ...
    public let code: String
    /// Our reason code: `no-relationship`, `blocked-by-patient`, `not-own-data`, `role`, `token`, ...
    public let reason: String
    public let danish: String
    public let english: String
    public var retryAfter: Int?

    public init(status: Int, code: String, reason: String, danish: String, english: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.reason = reason
        self.danish = danish
        self.english = english
        self.retryAfter = retryAfter
    }

    public static let reasonSystem = "https://sundhedscloud.dk/fhir/CodeSystem/access-denial"

    public static func unauthenticated(_ danish: String, _ english: String) -> GatewayDenial {
        GatewayDenial(status: 401, code: "login", reason: "token", danish: danish, english: english)
    }

    public static func forbidden(_ reason: String, _ danish: String, _ english: String) -> GatewayDenial {
        GatewayDenial(status: 403, code: "forbidden", reason: reason, danish: danish, english: english)
    }

    public var outcome: OperationOutcome {
        var issue = OperationOutcome.Issue(severity: "error", code: code, diagnostics: danish)
        issue.details = CodeableConcept(
            coding: [Coding(system: Self.reasonSystem, code: reason)], text: english)
        return OperationOutcome(issue: [issue])
    }

    public var description: String { "\(status) \(reason): \(danish)" }
}
