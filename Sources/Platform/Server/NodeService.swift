import AsyncHTTPClient
import FHIR
import HTTPTypes
import Hummingbird
import NIOCore
import Transport

/// A service of a node beside the event engine and the gateway (the patient summary now; the app cloud's and the
/// analysis platform's later): its routes are served on the node's port after the gateway's, it is told where the
/// node listens, and it is stopped with the node. A service that reads clinical data reads it through the gateway
/// with the caller's token, so that the access rules and the audit log see every read.
///
/// ```swift
/// let node = try await PlatformServer.start(engine: engine, gateway: gateway, services: [summary])
/// ```
public protocol NodeService: Sendable {
    /// Adds the service's routes.
    func add(to router: Router<PlatformRequestContext>)
    /// The node listens: `base` is where the service reaches the node itself (its gateway), on the node's own
    /// scheme and port (a node listening on every address is reached on the loopback address).
    func started(base: String)
    /// The node stops: let go of connections and clients.
    func shutdown() async
}

/// Answers of node services in the platform's FHIR form.
public enum NodeResponse {
    /// FHIR JSON (`application/fhir+json`) with `status` and the extra headers.
    public static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        FHIRResponse.json(value, status: status, headers: headers)
    }

    /// The answer of `work`, or its error as an OperationOutcome (a `PlatformError`, a `GatewayDenial` with its
    /// headers, 413 for a body over the limit, 500 for anything else, in the platform's words).
    public static func answer(_ work: () async throws -> Response) async -> Response {
        await EngineRoutes.answer(work)
    }
}

extension HTTPClient {
    /// The client a node calls out with (its sources, its own gateway): a refused connection is not retried (a
    /// stopped source is known at once), 2 s to connect, up to 64 connections per host, `trust` for certificates.
    /// How long a client keeps an idle connection: well under the servers' 10 s.
    public static let clientIdleTimeout: TimeAmount = .seconds(4)

    public static func node(trust: ClientTLS) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        // Idle connections are closed here before a server's idle timeout (ours: 10 s) closes them: a request sent on
        // a connection the server is closing at that moment fails with "connection reset by peer".
        configuration.connectionPool.idleTimeout = Self.clientIdleTimeout
        configuration.tlsConfiguration = trust.configuration
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}

extension PlatformServer {
    /// Where a node on `host:port` reaches itself: the loopback address for a node on every address, IPv6 in brackets.
    public static func selfBase(scheme: String, host: String, port: Int) -> String {
        let reachable =
            switch host {
            case "0.0.0.0", "": "127.0.0.1"
            case "::", "[::]": "[::1]"
            default: host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
            }
        return "\(scheme)://\(reachable):\(port)"
    }
}
