import FHIR
import Words

/// A request the gateway will not serve, with its reason as a phrase (`denial.*`, `source-answer.*` in
/// `Assets/strings`), answered as an OperationOutcome in Danish and English.
public struct GatewayDenial: Error, Sendable, Equatable, CustomStringConvertible, Phrased {
    public let status: Int
    /// FHIR issue type: `login` (401), `forbidden`, `suppressed` (withheld by the patient's wish), `throttled`, ...
    public let code: String
    /// Our reason code: `no-relationship`, `blocked-by-patient`, `not-own-data`, `role`, `token`, ...
    public let reason: String
    /// What the user is told, not yet in any language.
    public let phrase: Phrase
    public var retryAfter: Int?

    public init(status: Int, code: String, reason: String, phrase: Phrase, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.reason = reason
        self.phrase = phrase
        self.retryAfter = retryAfter
    }

    /// The reason in Danish: the OperationOutcome's `diagnostics`.
    public var danish: String { Catalog.danish.text(phrase) }
    /// The reason in English: the OperationOutcome's `details.text`.
    public var english: String { Catalog.english.text(phrase) }

    public static let reasonSystem = "https://sundhedscloud.dk/fhir/CodeSystem/access-denial"

    public static func unauthenticated(_ phrase: Phrase) -> GatewayDenial {
        GatewayDenial(status: 401, code: "login", reason: "token", phrase: phrase)
    }

    public static func forbidden(_ reason: String, _ phrase: Phrase) -> GatewayDenial {
        GatewayDenial(status: 403, code: "forbidden", reason: reason, phrase: phrase)
    }

    public var outcome: OperationOutcome {
        var issue = OperationOutcome.Issue(severity: "error", code: code, diagnostics: danish)
        issue.details = CodeableConcept(
            coding: [Coding(system: Self.reasonSystem, code: reason)], text: english)
        return OperationOutcome(issue: [issue])
    }

    public var description: String { "\(status) \(reason): \(danish)" }
}

extension Phrase.Argument {
    /// An inner error as a parameter (`{error}`): a failed read of a source, or any error with a phrase (storage, TLS,
    /// audit), in the outcome's language; anything else as it describes itself.
    static func error(_ error: any Error) -> Phrase.Argument {
        if let failure = error as? SourceReader.Failure { return .phrase(failure.phrase) }
        if let phrased = error as? any Phrased { return .phrase(phrased.phrase) }
        return .text("\(error)")
    }
}
