import Foundation

/// The parsers that read outside bytes, each as a fuzz target: `run` feeds it one input and checks the properties
/// its output must have. A crash is a bug in the parser; a broken property ends the process through
/// `fatalError` with what was broken, so libFuzzer records the input as a crash too.
///
/// `overblik-fuzz` (OVERBLIK_FUZZ=1, `make fuzz`) calls `run` with libFuzzer's inputs; `FuzzRegressionTests` calls
/// `violations` with every seed (`Tests/FuzzCorpus/<target>/`) and every crash kept (`Tests/FuzzRegressions/<target>/`).
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `JSONValue.parse` and `parseSanitized`: parse → serialize → parse round trip, both parses agree with
    /// `sanitized()`, sanitized strings clean.
    case json
    /// The hand-written readers (`JSONValueReadable`) give what Codable gives, value or error.
    case fhirReaders
    /// The Codable models through Foundation's `JSONDecoder`: encode → decode round trip, and `JSONValueDecoder`
    /// reads the encoded model back the same.
    case fhirCodable
    /// `FHIRDateTime`: a non-empty interval, the kept text parses to the same value.
    case dateTime
    /// `CPRNumber`: ten ASCII digits with a valid birth date; both written forms parse back to it.
    case cpr
    /// `SSEParser`: the same events however the bytes are split into chunks.
    case sse
    /// `QueryString.parse`: encode → parse gives the same pairs.
    case queryString
    /// The demo sources' FHIR search parameters (`SearchRequest`, through a source's search): every answer is JSON.
    case searchParameters
    /// Subscription filter criteria (`SubscriptionFilter.parse`, and whole Subscriptions): normalized values only,
    /// `criteria` parses back to the same filters.
    case subscriptionFilter
    /// The TOML source registry (`SourceRegistry.parse`): `toml()` parses back to the same registry.
    case tomlRegistry
    /// Notification bundles, R4 `Parameters` and R4B `SubscriptionStatus` forms, by both readers
    /// (`EventNotification.parse`, `IncomingNotification.parse`).
    case notification
    /// Access tokens (`TokenAuthority.verify`), as given and signed with the authority's own key.
    case jwt
    /// The demo sources' batch Bundle (`POST [base]`): every answer is JSON, one response per entry.
    case batchBundle
    /// `TextSanitizer`: no C0/C1 control (but newlines where kept), DEL, escape or bidi control survives; within the
    /// length; cleaning twice changes nothing.
    case sanitizer
    /// Audit checkpoint files (`AuditCheckpoint.parseLines`, JSON lines anyone may hand to `audit verify`): each
    /// checkpoint read writes back to a line that reads the same, and checking its signature never traps.
    case auditCheckpoint
    /// The user's own TOML files and the catalogs' format: a keymap override (`Keymap.overridden`), a theme
    /// (`ThemeColors.merged`), a strings catalog (`Catalog(language:toml:file:)`), chosen by the first byte. An error
    /// names a line of the file; a keymap that is accepted has no key bound twice on a screen; every text of an
    /// accepted catalog fills its parameters without trapping.
    case userConfig
    /// A `$summary` request (`SummaryRequest`: the query, or a `Parameters` body, by the first byte) and the
    /// summary's XHTML escaping: a request read is a valid CPR number, a refusal is 400 or 404 with words in both
    /// languages; `Accept-Language` always gives a language; escaped text has no markup left.
    case summaryRequest
    /// What apps send the app cloud (by the first byte): a scope string (`SMARTScopes`; every scope read writes back
    /// in v2 syntax that reads the same and covers itself), a client assertion (`ClientAssertion.peek`: a client id
    /// read is a valid one, a refusal is `invalid_client`), a JWKS (`ClientKeys`), an AppStore answer
    /// (`AppListing.catalogue`: clean text only).
    case smartApps
    /// Bulk Data (by the first byte): a kick-off's query at a source (types only of those offered, each once; a
    /// refusal is a 400 with words), an export manifest at the analysis platform (files only of the types asked
    /// for, only at the source's own origin), or NDJSON lines through the research extraction (a 128-bit pseudonym,
    /// codes without free text, only approved diagnoses and periods, coarsened as approved); from 0xF0, the research
    /// routes' bodies (an application, a query) and a research Consent (never a block).
    case bulkData

    /// Feeds one input to the target; a broken property ends the process (`fatalError`) with what was broken.
    public static func run(_ target: FuzzTarget, _ bytes: UnsafeRawBufferPointer) {
        let problems = violations(target, bytes)
        if !problems.isEmpty {
            fatalError("fuzz target \(target.rawValue): " + problems.joined(separator: "; "))
        }
    }

    /// The properties the input broke (empty when none). A crash in the parser itself still crashes. The token
    /// target waits for async work: call this from a thread of its own, not from a task.
    public static func violations(_ target: FuzzTarget, _ bytes: UnsafeRawBufferPointer) -> [String] {
        var check = PropertyCheck()
        switch target {
        case .json: json(bytes, &check)
        case .fhirReaders: fhirReaders(bytes, &check)
        case .fhirCodable: fhirCodable(bytes, &check)
        case .dateTime: dateTime(bytes, &check)
        case .cpr: cpr(bytes, &check)
        case .sse: sse(bytes, &check)
        case .queryString: queryString(bytes, &check)
        case .searchParameters: searchParameters(bytes, &check)
        case .subscriptionFilter: subscriptionFilter(bytes, &check)
        case .tomlRegistry: tomlRegistry(bytes, &check)
        case .notification: notification(bytes, &check)
        case .jwt: jwt(bytes, &check)
        case .batchBundle: batchBundle(bytes, &check)
        case .sanitizer: sanitizer(bytes, &check)
        case .auditCheckpoint: auditCheckpoint(bytes, &check)
        case .userConfig: userConfig(bytes, &check)
        case .summaryRequest: summaryRequest(bytes, &check)
        case .smartApps: smartApps(bytes, &check)
        case .bulkData: bulkData(bytes, &check)
        }
        return check.problems
    }

    /// The same for bytes in an array.
    public static func violations(_ target: FuzzTarget, _ bytes: [UInt8]) -> [String] {
        bytes.withUnsafeBytes { violations(target, $0) }
    }

    /// Makes what the target keeps between inputs (a key, a store) before the first input, so that its cost and
    /// its memory are not counted against one input.
    public func prepare() {
        switch self {
        case .jwt: _ = JWTFixture.shared
        case .searchParameters, .batchBundle: _ = SourceFixture.responder
        default: break
        }
    }
}

/// The properties one input broke.
struct PropertyCheck {
    private(set) var problems: [String] = []

    mutating func expect(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
        if !condition() { problems.append(message()) }
    }

    mutating func fail(_ message: String) {
        problems.append(message)
    }
}

extension UnsafeRawBufferPointer {
    /// The bytes as text (invalid UTF-8 repaired, as every reader of outside text does).
    var text: String { String(decoding: self, as: UTF8.self) }
    var data: Data { Data(self) }
}
