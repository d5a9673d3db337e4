import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import ServiceLifecycle
import Transport

/// A Hummingbird server running in a service group of its own, in a detached task (so it inherits no shutdown
/// trigger from its caller). `stop()` shuts it down gracefully, at most one second for open requests (a request that
/// never ends, like the "hang" fault, must not keep it alive).
struct RunningServer: Sendable {
    let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    /// Binds `host:port` (0 for any free port) and returns once the server listens, or throws why it could not.
    static func start<Responder: HTTPResponder>(
        responder: Responder, host: String, port: Int, tls: ServerTLS? = nil, logger: Logger
    ) async throws
        -> RunningServer where Responder.Context == BasicRequestContext
    {
        let started = StartSignal()
        // Idle and half-sent connections are closed after 10 s, as on the platform node.
        let http1 = HTTPServerBuilder.http1(configuration: .init(idleTimeout: .seconds(10)))
        let app = Application(
            responder: responder, server: try tls.map { try .tls(http1, tlsConfiguration: $0.configuration) } ?? http1,
            configuration: .init(address: .hostname(host, port: port), serverName: nil, reuseAddress: true),
            onServerRunning: { channel in started.succeed(channel.localAddress?.port ?? 0) },
            logger: logger)
        var configuration = ServiceGroupConfiguration(services: [app], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(1)
        let group = ServiceGroup(configuration: configuration)
        let task = Task.detached {
            do {
                try await group.run()
            } catch {
                started.fail(error)
            }
            started.fail(CancellationError())
        }
        do {
            return RunningServer(port: try await started.wait(), group: group, task: task)
        } catch {
            task.cancel()
            throw error
        }
    }

    /// Stops listening; returns when the port is closed.
    func stop() async {
        await group.triggerGracefulShutdown()
        await task.value
    }
}
