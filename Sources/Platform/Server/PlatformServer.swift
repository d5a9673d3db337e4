import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The platform's HTTP server (event engine now, gateway beside it later) on one port, in a service group of its
/// own so it can be started and stopped from tests, the embedded demo and `sundhedscloud serve` alike.
public final class PlatformServer: Sendable {
    public let engine: EventEngine
    public let gateway: Gateway?
    public let port: Int
    public let host: String
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    private init(
        engine: EventEngine, gateway: Gateway?, host: String, port: Int, group: ServiceGroup, task: Task<Void, Never>
    ) {
        self.engine = engine
        self.gateway = gateway
        self.host = host
        self.port = port
        self.group = group
        self.task = task
    }

    public var baseURL: String { "http://\(host):\(port)" }

    /// A connection that sends nothing, stops halfway through a request, or sends bytes that are not HTTP is closed
    /// after this long (a request being answered, such as an SSE stream, is not cut): a few thousand idle
    /// connections cannot hold the node.
    public static let idleTimeout: TimeAmount = .seconds(10)

    /// Starts the engine (migrating its storage) and listens on `host:port` (0: any free port).
    public static func start(
        engine: EventEngine, gateway: Gateway? = nil, host: String = "127.0.0.1", port: Int = 0, logger: Logger? = nil
    ) async throws -> PlatformServer {
        var log = logger ?? Logger(label: "sundhedscloud")
        if logger == nil { log.logLevel = .warning }
        do {
            try await engine.start()
        } catch {
            // Nothing started: let go of the HTTP clients before saying why.
            await engine.shutdown()
            await gateway?.shutdown()
            throw error
        }
        let router = Router(context: PlatformRequestContext.self)
        // Middleware applies to the routes added after it: subscriptions behind the gateway need a token.
        if let gateway { router.add(middleware: SubscriptionAccess(gateway: gateway, engine: engine)) }
        EngineRoutes(engine: engine, gateway: gateway).add(to: router)
        if let gateway {
            GatewayRoutes(gateway: gateway).add(to: router)
            // An event about a patient may open or close a care relationship: decide afresh.
            engine.onStored { event in
                if let cpr = event.patientCPR { gateway.forget(cpr: cpr) }
            }
        }
        let started = PortSignal()
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(
                webSocketRouter: router, configuration: .init(http1: .init(idleTimeout: Self.idleTimeout))),
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
            engine.publicBase = "http://\(host):\(bound)"
            gateway?.publicBase = "http://\(host):\(bound)"
            return PlatformServer(engine: engine, gateway: gateway, host: host, port: bound, group: group, task: task)
        } catch {
            task.cancel()
            await engine.shutdown()
            await gateway?.shutdown()
            throw PlatformListenError(description: "Platformen kan ikke lytte på \(host):\(port): \(error)")
        }
    }

    /// Closes live connections, stops deliveries and the listener; returns when the port is closed.
    public func stop() async {
        engine.hub.disconnectAll()
        await group.triggerGracefulShutdown()
        await task.value
        await engine.shutdown()
        await gateway?.shutdown()
    }
}

/// The platform's port could not be opened.
public struct PlatformListenError: Error, CustomStringConvertible, Sendable {
    public let description: String
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
