import FHIR

/// The platform's errors are FHIR errors: an OperationOutcome with an HTTP status.
public typealias PlatformError = FHIRError

extension FHIRError {
    /// A gateway's refusal, with its Danish and English text.
    public init(denial: GatewayDenial) {
        self.init(status: denial.status, outcome: denial.outcome)
    }
}
