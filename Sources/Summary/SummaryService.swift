import AsyncHTTPClient
import FHIR
import Federation
import Foundation
import HTTPTypes
import Hummingbird
import Platform
import Synchronization
import Transport
import Words

/// `$summary` (HL7 IPS IG 2.0): the international patient summary of one patient, built on request from what the
/// sources give **the caller**, read through the node's own gateway with the caller's token: the care relationship,
/// the patient's blocks and emergency access decide what goes in, every source read is in the audit log under the
/// caller, and the service keeps nothing.
///
/// - `GET|POST /Patient/$summary?identifier=urn:oid:1.2.208.176.1.2|CPR` (POST: the same in a `Parameters` body)
/// - `GET|POST /Patient/{CPR}/$summary`
///
/// The document's narratives are in the language of `Accept-Language` (Danish unless English is preferred).
/// Emergency access (`X-Purpose-Of-Use: EMERGENCY`, `X-Emergency-Reason`) is passed on as it came. No patient the
/// caller may see: 404, the same for "unknown" and "refused"; every source failing: 503.
public final class SummaryService: NodeService {
    let gateway: Gateway
    let http: HTTPClient
    let trust: ClientTLS
    private let base = Mutex<String?>(nil)

    /// `trust`: what the service trusts for the node's own certificate (the node's `trust`).
    public init(gateway: Gateway, trust: ClientTLS = .system) {
        self.gateway = gateway
        self.trust = trust
        self.http = HTTPClient.node(trust: trust)
    }

    public func started(base: String) { self.base.withLock { $0 = base } }

    public func shutdown() async { try? await http.shutdown() }

    static let purposeOfUse = HTTPField.Name("X-Purpose-Of-Use")!
    static let emergencyReason = HTTPField.Name("X-Emergency-Reason")!
    static let acceptLanguage = HTTPField.Name("Accept-Language")!

    public func add(to router: Router<PlatformRequestContext>) {
        for method in [HTTPRequest.Method.get, .post] {
            router.on("/Patient/$summary", method: method) { request, context in
                await NodeResponse.answer { try await self.answer(request, context, id: nil) }
            }
            router.on("/Patient/:id/$summary", method: method) { request, context in
                await NodeResponse.answer { try await self.answer(request, context, id: context.parameters.get("id") ?? "") }
            }
        }
    }

    func answer(_ request: Request, _ context: PlatformRequestContext, id: String?) async throws -> Response {
        let authorization = request.headers[.authorization]
        let identity = try await gateway.authenticate(authorization)
        let caller = context.remoteAddress?.ipAddress
        try gateway.admit(user: identity.id, client: caller)
        var body: Data?
        if request.method == .post {
            var request = request
            body = Data(buffer: try await request.collectBody(upTo: gateway.limits.maxRequestBytes))
        }
        let asked: SummaryRequest
        do {
            asked = try SummaryRequest(id: id, query: request.uri.query, body: body)
        } catch {
            throw PlatformError(
                status: error.status, code: error.status == 404 ? "not-found" : "invalid", error.phrase,
                expression: error.expression.map { [$0] })
        }
        let language = SummaryRequest.language(acceptLanguage: request.headers[Self.acceptLanguage])
        guard let base = base.withLock({ $0 }) else {
            throw PlatformError.unavailable(Phrase("outcome.summary-not-started"))
        }
        // The caller's token (the gateway checks it again on every read) and the caller's address, so that the rate
        // limits count the caller, not this service.
        var headers = [
            ("X-SundhedsCloud-Service", gateway.serviceKey), ("X-Forwarded-For", caller ?? "-"),
        ]
        if let purpose = request.headers[Self.purposeOfUse] { headers.append(("X-Purpose-Of-Use", purpose)) }
        if let reason = request.headers[Self.emergencyReason] { headers.append(("X-Emergency-Reason", reason)) }
        let token = String((authorization ?? "").dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let login = GatewayLogin(gatewayURL: base, token: token, headers: headers, http: http)
        let sources = sources(base: base)
        let client = FederatedClient(
            registry: SourceRegistry(sources: sources), client: FHIRHTTPClient(http: http, login: login, trust: trust),
            cache: nil)
        let results = await client.fetchAll(cpr: asked.cpr)
        guard let document = IPSBuilder(language: language).document(cpr: asked.cpr.value, results: results) else {
            // Nobody the caller may see: the same answer whether the patient is unknown or refused. Only when no
            // source answered at all is it "try again".
            let failed: Set<SourceStatus.State> = [.error, .timedOut, .loading]
            let answered = results.contains { !failed.contains($0.status.state) }
            if !answered, !results.isEmpty {
                throw PlatformError.unavailable(Phrase("outcome.summary-sources-down"))
            }
            throw PlatformError.notFound(Phrase("outcome.summary-no-patient"))
        }
        return NodeResponse.json(
            document,
            headers: [
                .contentLanguage: language.rawValue, .cacheControl: "no-store", .vary: "Accept-Language, Authorization",
            ])
    }

    /// The clinical sources, each reached through the gateway at `base`. A source's whole fetch (finding the patient,
    /// then its searches) may take two of the gateway's time limits for it, and a little more, so that the
    /// gateway's own answer (with the source's name and limit) arrives before the service gives up.
    func sources(base: String) -> [SourceDefinition] {
        gateway.sources.filter { $0.kind == .clinical }.map { source in
            SourceDefinition(
                id: source.id, name: source.name, sector: Sector(rawValue: source.sector) ?? .other,
                fhir: "\(base)/sources/\(source.id)/fhir", timeoutMs: 2 * source.timeoutMs + 500)
        }
    }
}
