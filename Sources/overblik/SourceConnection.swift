import ArgumentParser
import AsyncHTTPClient
import FHIR
import Federation

/// What a one-shot command (`overview`, `summary`) reads through: the resolved sources (the embedded demo started and
/// ready, or a gateway logged in to), the HTTP client, and the login when there is one. `close()` when done.
struct SourceConnection {
    let resolved: SourceOptions.Resolved
    let login: GatewayLogin?
    let http: HTTPClient
    let security: ClientSecurity

    /// A federated client over these sources.
    func client(cache: ResourceCache?) -> FederatedClient {
        FederatedClient(
            registry: resolved.registry, client: FHIRHTTPClient(http: http, login: login, trust: security.trust),
            cache: cache)
    }

    func close() async {
        try? await http.shutdown()
        await resolved.startup?.stop()
    }
}

extension SourceOptions {
    /// Connects as the options say: `--gateway` (logged in as `--user` or with `--token`), or `--demo` / `--sources`,
    /// with the embedded demo reached `throughGateway` as the demo user when asked. Fails with the reason, the
    /// HTTP client shut down first.
    func connect(throughGateway: Bool) async throws -> SourceConnection {
        let security = try security()
        let http = FHIRHTTPClient.makeHTTPClient(trust: security.trust)
        do {
            let resolved: Resolved
            var login: GatewayLogin?
            if gateway != nil {
                (resolved, login) = try await resolveGateway(http: http, ask: false)
            } else {
                resolved = try await resolve(throughGateway: throughGateway, security: security)
                if throughGateway {
                    login = resolved.gateway.map { GatewayLogin(gatewayURL: $0.url, demoUser: $0.user, http: http) }
                }
            }
            _ = try await resolved.startup?.ready()
            return SourceConnection(resolved: resolved, login: login, http: http, security: security)
        } catch {
            // Said as an error, not as a crash: the HTTP client must be shut down before it goes.
            try? await http.shutdown()
            throw error
        }
    }
}

/// The checks `overview` and `summary` share: one output form at a time, and a CPR number that is one.
enum CommandInput {
    static func check(cpr: String, json: Bool, plain: Bool) throws {
        if json, plain { throw ValidationError(CLI.text("cli.error.json-or-plain")) }
        do {
            _ = try CPRNumber(cpr)
        } catch {
            throw ValidationError(CLI.strings.cprProblem(error))
        }
    }
}
