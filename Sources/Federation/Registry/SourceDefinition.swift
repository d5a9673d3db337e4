/// One FHIR source the client talks to.
public struct SourceDefinition: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var sector: Sector
    /// The FHIR base URL, without a trailing slash.
    public var fhir: String
    /// The most a whole overview may wait for this source.
    public var timeoutMs: Int
    /// What the source holds: clinical data (the overview's sources) or the citizens' preferences (their blocks,
    /// read by the gateway only).
    public var kind: Kind = .clinical
    /// The SHA-256 (hex) of the secret this source sends with its change notifications (`notify_secret_sha256`);
    /// without one the platform takes no notifications in its name.
    public var notifySecretSHA256: String?
    /// A CA bundle (PEM file) to verify this source's certificate against, besides the system store (`ca`).
    public var ca: String?
    /// A sandbox: synthetic data only, the one kind of source a pilot app may reach (`sandbox = true`).
    public var sandbox = false

    public enum Kind: String, Codable, Sendable {
        case clinical, preferences
    }

    public static let defaultTimeoutMs = 2000

    public init(
        id: String, name: String, sector: Sector, fhir: String, timeoutMs: Int = defaultTimeoutMs, kind: Kind = .clinical
    ) {
        self.kind = kind
        self.id = id
        self.name = name
        self.sector = sector
        self.fhir = fhir.hasSuffix("/") ? String(fhir.dropLast()) : fhir
        self.timeoutMs = timeoutMs
    }

    enum CodingKeys: String, CodingKey {
        case id, name, sector, fhir, kind
        case timeoutMs = "timeout_ms"
        case notifySecretSHA256 = "notify_secret_sha256"
        case ca, sandbox
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(String.self, forKey: .id), name: try container.decode(String.self, forKey: .name),
            sector: try container.decode(Sector.self, forKey: .sector), fhir: try container.decode(String.self, forKey: .fhir),
            timeoutMs: try container.decodeIfPresent(Int.self, forKey: .timeoutMs) ?? Self.defaultTimeoutMs,
            kind: try container.decodeIfPresent(Kind.self, forKey: .kind) ?? .clinical)
        notifySecretSHA256 = try container.decodeIfPresent(String.self, forKey: .notifySecretSHA256)
        ca = try container.decodeIfPresent(String.self, forKey: .ca)
        sandbox = try container.decodeIfPresent(Bool.self, forKey: .sandbox) ?? false
    }
}
