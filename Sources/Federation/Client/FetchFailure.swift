import Words

/// Why a request to a source did not give a usable FHIR answer: a kind the client acts on and a reason for the edge
/// to put in words (`failure.*` in the catalogs), with what a clinician can act on.
public struct FetchFailure: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Kind: String, Codable, Sendable {
        /// No answer within the source's time limit.
        case timeout
        /// The source refused the connection or could not be reached.
        case unreachable
        /// The source's certificate was not accepted (expired, for another name, not from a trusted CA), or it does
        /// not speak TLS: nothing was sent to it.
        case certificate
        /// An HTTP error status.
        case http
        /// An answer that is not FHIR JSON (HTML, text).
        case notFHIR = "not-fhir"
        /// JSON that is cut off or broken, or FHIR that cannot be read.
        case malformed
        /// The gateway refused: no care relationship, not the user's own data, or the role may not (403).
        case denied
        /// The gateway withheld the data at the patient's request (a block; 403 with issue code `suppressed`).
        case withheld
    }

    public let kind: Kind
    public let reason: Phrase
    public let httpStatus: Int?

    public init(_ kind: Kind, _ reason: Phrase, httpStatus: Int? = nil) {
        self.kind = kind
        self.reason = reason
        self.httpStatus = httpStatus
    }

    /// A failure with a catalog id and its parameters: `FetchFailure(.malformed, "failure.not-bundle")`.
    public init(_ kind: Kind, _ id: String, _ arguments: [String: Phrase.Argument] = [:], httpStatus: Int? = nil) {
        self.init(kind, Phrase(id, arguments), httpStatus: httpStatus)
    }

    /// In Danish, for logs and error output.
    public var description: String { Catalog.danish.text(reason) }
}
