/// One FHIR source the client talks to.
public struct SourceDefinition: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var sector: Sector
    /// The FHIR base URL, without a trailing slash.
    public var fhir: String
    /// The most a whole overview may wait for this source.
    public var timeoutMs: Int

    public static let defaultTimeoutMs = 2000

    public init(id: String, name: String, sector: Sector, fhir: String, timeoutMs: Int = defaultTimeoutMs) {
        self.id = id
        self.name = name
        self.sector = sector
        self.fhir = fhir.hasSuffix("/") ? String(fhir.dropLast()) : fhir
        self.timeoutMs = timeoutMs
    }

    enum CodingKeys: String, CodingKey {
        case id, name, sector, fhir
        case timeoutMs = "timeout_ms"
    }
}
