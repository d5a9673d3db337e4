import Transport

/// A source behind the gateway (from the same TOML registry the client reads).
public struct GatewaySource: Sendable {
    public enum Kind: String, Sendable {
        /// Clinical data, forwarded under the access policy.
        case clinical
        /// The citizens' preferences (Consent resources with their blocks); read by the gateway itself only.
        case preferences
    }

    public var id: String
    public var name: String
    /// hospital | gp | municipality | other
    public var sector: String
    /// FHIR base URL, no trailing slash.
    public var fhir: String
    public var timeoutMs: Int
    public var kind: Kind
    /// What to trust for this source's certificate and which client certificate to show (mutual TLS); nil: the
    /// gateway's own (`--ca`, `--client-cert`).
    public var tls: ClientTLS?
    /// Synthetic data only: a pilot app may reach it.
    public var sandbox: Bool

    public init(
        id: String, name: String, sector: String, fhir: String, timeoutMs: Int = 2000, kind: Kind = .clinical,
        tls: ClientTLS? = nil, sandbox: Bool = false
    ) {
        self.tls = tls
        self.sandbox = sandbox
        self.id = id
        self.name = name
        self.sector = sector
        self.fhir = fhir.hasSuffix("/") ? String(fhir.dropLast()) : fhir
        self.timeoutMs = timeoutMs
        self.kind = kind
    }
}
