import FHIR
import Words

/// The platform's errors are FHIR errors: an OperationOutcome with an HTTP status.
public typealias PlatformError = FHIRError

extension FHIRError {
    /// The code system of the message ids (`Assets/strings`, `[outcome]`) an error carries in `details.coding`: a
    /// program can tell one reason from another without reading the words.
    public static let messageSystem = "https://sundhedscloud.dk/fhir/CodeSystem/platform-message"

    /// A gateway's refusal, with its Danish and English text.
    public init(denial: GatewayDenial) {
        self.init(status: denial.status, outcome: denial.outcome)
    }

    /// An error worded from the catalogs: `diagnostics` in Danish, `details.text` in English, and the message id in
    /// `details.coding` (as a refusal carries its reason code).
    ///
    /// ```swift
    /// throw PlatformError.invalid(Phrase("outcome.subscription-heartbeat"), expression: "Subscription.heartbeatPeriod")
    /// ```
    public init(status: Int, code: String, _ phrase: Phrase, expression: [String]? = nil) {
        var issue = OperationOutcome.Issue(severity: "error", code: code, diagnostics: Catalog.danish.text(phrase))
        issue.details = CodeableConcept(
            coding: phrase.id.isEmpty ? nil : [Coding(system: Self.messageSystem, code: phrase.id)],
            text: Catalog.english.text(phrase))
        issue.expression = expression
        self.init(status: status, outcome: OperationOutcome(issue: [issue]))
    }

    /// 400 `invalid`; `expression` names the offending parameter or element.
    public static func invalid(_ phrase: Phrase, expression: String? = nil) -> FHIRError {
        FHIRError(status: 400, code: "invalid", phrase, expression: expression.map { [$0] })
    }

    /// 404 `not-found`.
    public static func notFound(_ phrase: Phrase) -> FHIRError {
        FHIRError(status: 404, code: "not-found", phrase)
    }

    /// 503 `transient`: try again.
    public static func unavailable(_ phrase: Phrase) -> FHIRError {
        FHIRError(status: 503, code: "transient", phrase)
    }
}

extension Phrase.Argument {
    /// What a request held where something else was wanted, quoted and cleaned (`{found}`), or "nothing".
    static func found(_ value: String?) -> Phrase.Argument {
        guard let value, !value.isEmpty else { return .phrase(Phrase("outcome.nothing")) }
        return .text("'" + TextSanitizer.cleanLine(value, maxLength: 100) + "'")
    }
}
