import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Transport
import Words

/// The platform's HTTP server (event engine now, gateway beside it later) on one port, in a service group of its
/// own so it can be started and stopped from tests, the embedded demo and `sundhedscloud serve` alike.
public final class PlatformServer: Sendable {
    public let engine: EventEngine
    public let gateway: Gateway?
    /// The node's other services (the patient summary, ...), served after the gateway.
    public let services: [any NodeService]
    public let port: Int
    public let host: String
    /// The node's TLS; nil: plain HTTP (`--insecure-http`).
    public let tls: ServerTLS?
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    private init(
        engine: EventEngine, gateway: Gateway?, services: [any NodeService], host: String, port: Int, tls: ServerTLS?,
        group: ServiceGroup, task: Task<Void, Never>
    ) {
        self.tls = tls
        self.services = services
        self.engine = engine
        self.gateway = gateway
        self.host = host
        self.port = port
        self.group = group
        self.task = task
    }

    public var baseURL: String { "\(tls == nil ? "http" : "https")://\(host):\(port)" }

    /// A connection that sends nothing, stops halfway through a request, or sends bytes that are not HTTP is closed
    /// after this long (a request being answered, such as an SSE stream, is not cut): a few thousand idle
    /// connections cannot hold the node.
    public static let idleTimeout: TimeAmount = .seconds(10)

    /// Starts the engine (migrating its storage) and listens on `host:port` (0: any free port), with TLS when
    /// `tls` is given (plain HTTP otherwise: tests, and `--insecure-http`).
    public static func start(
        engine: EventEngine, gateway: Gateway? = nil, services: [any NodeService] = [], host: String = "127.0.0.1",
        port: Int = 0, tls: ServerTLS? = nil, logger: Logger? = nil
    ) async throws -> PlatformServer {
        func shutdown() async {
            await engine.shutdown()
            await gateway?.shutdown()
            for service in services { await service.shutdown() }
        }
        var log = logger ?? Logger(label: "sundhedscloud")
        if logger == nil { log.logLevel = .warning }
        do {
            try await engine.start()
            try await gateway?.checkpoints.start()
        } catch {
            // Nothing started: let go of the HTTP clients before saying why.
            await shutdown()
            throw error
        }
        let router = Self.router(engine: engine, gateway: gateway, services: services, encrypted: tls != nil)
        let started = PortSignal()
        let webSocketResponder = router.buildResponder()
        let plain = HTTPServerBuilder { responder in
            HeadDeadlineChannel(
                base: HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder,
                    configuration: .init(http1: .init(idleTimeout: Self.idleTimeout))),
                timeout: Self.idleTimeout)
        }
        let server: HTTPServerBuilder
        do {
            server = try tls.map { try .tls(plain, tlsConfiguration: $0.configuration) } ?? plain
        } catch {
            await shutdown()
            throw PlatformListenError(Phrase("storage.listen-tls", ["error": .text("\(error)")]))
        }
        let app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: nil, reuseAddress: true),
            onServerRunning: { channel in started.resolve(.success(channel.localAddress?.port ?? 0)) },
            logger: log)
        var configuration = ServiceGroupConfiguration(services: [app], logger: log)
        configuration.maximumGracefulShutdownDuration = .seconds(1)
        let group = ServiceGroup(configuration: configuration)
        let task = Task.detached {
            do {
                try await group.run()
            } catch {
                started.resolve(.failure(error))
            }
            started.resolve(.failure(CancellationError()))
        }
        do {
            let bound = try await started.wait()
            let scheme = tls == nil ? "http" : "https"
            engine.publicBase = "\(scheme)://\(host):\(bound)"
            gateway?.publicBase = "\(scheme)://\(host):\(bound)"
            let base = Self.selfBase(scheme: scheme, host: host, port: bound)
            for service in services { service.started(base: base) }
            return PlatformServer(
                engine: engine, gateway: gateway, services: services, host: host, port: bound, tls: tls, group: group,
                task: task)
        } catch {
            task.cancel()
            await shutdown()
            throw PlatformListenError(
                Phrase(
                    "storage.listen", ["host": .text(host), "port": .integer(port), "error": .text("\(error)")]))
        }
    }

    /// Every route of a node, its middleware first: what `start` serves, and what a test drives in-process
    /// (HummingbirdTesting's `.router` client) where a real socket adds nothing. The engine must have been started.
    public static func router(
        engine: EventEngine, gateway: Gateway?, services: [any NodeService] = [], encrypted: Bool
    ) -> Router<PlatformRequestContext> {
        let router = Router(context: PlatformRequestContext.self)
        router.add(middleware: OutcomeMiddleware())
        // Middleware applies to the routes added after it: subscriptions behind the gateway need a token.
        if let gateway { router.add(middleware: SubscriptionAccess(gateway: gateway, engine: engine)) }
        EngineRoutes(engine: engine, gateway: gateway, encrypted: encrypted).add(to: router)
        if let gateway {
            GatewayRoutes(gateway: gateway).add(to: router)
            // Each event is delivered only to subscribers who may open the patient's data, and what the gateway
            // concluded about the patient is forgotten when an event concerns them (this node's or another's).
            engine.deliveryGate = gateway
        }
        for service in services { service.add(to: router) }
        return router
    }

    /// Closes live connections, stops deliveries and the listener; returns when the port is closed.
    public func stop() async {
        engine.hub.disconnectAll()
        await group.triggerGracefulShutdown()
        await task.value
        await engine.shutdown()
        await gateway?.checkpoints.stop()
        await gateway?.shutdown()
        for service in services { await service.shutdown() }
    }
}

/// The platform's port could not be opened (`storage.listen*` in `Assets/strings`); `description` is it in Danish.
public struct PlatformListenError: Error, CustomStringConvertible, Sendable, Phrased {
    public let phrase: Phrase

    public init(_ phrase: Phrase) { self.phrase = phrase }

    public var description: String { Catalog.danish.text(phrase) }
}

/// Resumes one waiter once with the bound port or the error that kept the server from starting.
final class PortSignal: Sendable {
    private let state = Mutex<(waiter: CheckedContinuation<Int, any Error>?, result: Result<Int, any Error>?)>((nil, nil))

    func resolve(_ result: Result<Int, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<Int, any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<Int, any Error>? in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
