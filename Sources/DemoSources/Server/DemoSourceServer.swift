import Crypto
import FHIR
import Foundation
import Hummingbird
import Logging
import Synchronization
import Transport

/// One demo source system: a FHIR R4 server over real HTTP on its own port. It can be stopped and started again on
/// the same port, which is how the "down" fault is real: connections are refused.
public actor DemoSourceServer {
    public nonisolated let id: String
    public nonisolated let name: String
    public nonisolated let sector: String
    public nonisolated let store: ResourceStore
    public nonisolated let faults: FaultControl
    /// Announces changes to the event engine, once connected to one.
    public nonisolated let publisher: ChangePublisher
    public nonisolated let host: String
    /// The server's TLS (nil: plain HTTP, only when asked for).
    public nonisolated let tls: ServerTLS?
    /// The analysis platform's credential for Bulk Data export from this source (made per run unless given), the
    /// export jobs, and what they export.
    public nonisolated let exportSecret: String
    /// What clients may update here (`PUT`): the citizens' preferences source takes their Consent resources; the
    /// clinical sources are read-only.
    public nonisolated let writableTypes: Set<String>
    package nonisolated let bulkExports = BulkExports()
    package nonisolated let bulkSource: any BulkSource
    private var requestedPort: Int
    private var running: RunningServer?
    /// While "down": a socket bound to the port but not listening, so connections are refused (RST) and nothing else
    /// on the machine can take the port before the source comes back.
    private var holder: Int32?
    private(set) public var port: Int?

    public init(
        id: String, name: String, sector: String, store: ResourceStore, host: String = "127.0.0.1", port: Int = 0,
        faults: FaultSettings = .none, notifySecret: String? = nil, tls: ServerTLS? = nil, exportSecret: String? = nil,
        writableTypes: Set<String> = []
    ) {
        self.init(
            id: id, name: name, sector: sector, store: store, bulkSource: StoreBulkSource(store: store), host: host,
            port: port, faults: faults, notifySecret: notifySecret, tls: tls, exportSecret: exportSecret,
            writableTypes: writableTypes)
    }

    package init(
        id: String, name: String, sector: String, store: ResourceStore, bulkSource: any BulkSource,
        host: String = "127.0.0.1", port: Int = 0, faults: FaultSettings = .none, notifySecret: String? = nil,
        tls: ServerTLS? = nil, exportSecret: String? = nil, writableTypes: Set<String> = []
    ) {
        self.writableTypes = writableTypes
        self.bulkSource = bulkSource
        self.exportSecret = exportSecret ?? RandomSecret.make()
        self.tls = tls
        self.id = id
        self.name = name
        self.sector = sector
        self.store = store
        self.host = host
        self.requestedPort = port
        self.faults = FaultControl(faults)
        self.publisher = ChangePublisher(sourceID: id, store: store, notifySecret: notifySecret)
    }

    /// Stores a new version of a resource (a change in the source system) and announces it to the event engine, if
    /// connected, with `topic` (a topic slug such as `akut-ankomst`) when the source knows what the change means.
    @discardableResult
    public nonisolated func change(_ json: JSONValue, topic: String? = nil, at time: Date = Date()) throws -> StoredResource {
        let stored = try store.upsert(json, at: time)
        publisher.publish(stored, topic: topic)
        return stored
    }

    /// Starts announcing changes to the engine at `engineURL` (`POST {engineURL}/notify/{id}`).
    public func connect(engineURL: String, trust: ClientTLS? = nil) {
        guard let base = baseURL else { return }
        publisher.connect(notifyURL: "\(engineURL)/notify/\(id)", baseURL: base, trust: trust)
    }

    /// `http://127.0.0.1:8101/fhir`, once started.
    public var baseURL: String? {
        port.map { "\(tls == nil ? "http" : "https")://\(host):\($0)/fhir" }
    }

    public var isRunning: Bool { running != nil }

    /// Starts listening (unless the fault settings say "down") and returns the port.
    @discardableResult
    public func start() async throws -> Int {
        if let port, running != nil { return port }
        if faults.current.down {
            // Not listening, on purpose; the port is held for when it comes back.
            if holder == nil {
                if let (fd, held) = try? Self.hold(host: host, port: requestedPort) {
                    (holder, requestedPort) = (fd, held)
                } else if requestedPort == 0 {
                    requestedPort = try Self.freePort(host: host)
                }
            }
            port = requestedPort
            return requestedPort
        }
        release()
        let credential = SHA256.hash(data: Data(exportSecret.utf8)).hexString
        let responder = FHIRSourceResponder(
            sourceID: id, sourceName: name, store: store, faults: faults, scheme: tls == nil ? "http" : "https",
            bulkExports: bulkExports, bulkSource: bulkSource, bulkCredentialSHA256: credential,
            writableTypes: writableTypes, write: { [self] json in try self.change(json) })
        var logger = Logger(label: "demo-source.\(id)")
        logger.logLevel = .warning
        // Coming back up on its old port: a connection that briefly used the port must end first (retry up to 3 s).
        var attempt = 0
        while true {
            do {
                let server = try await RunningServer.start(
                    responder: responder, host: host, port: requestedPort, tls: tls, logger: logger)
                running = server
                requestedPort = server.port
                port = server.port
                return server.port
            } catch {
                attempt += 1
                guard requestedPort != 0, attempt < 30 else {
                    throw DemoSourceError.cannotListen(source: id, host: host, port: requestedPort, reason: "\(error)")
                }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Stops listening and ends every export, its files removed (the source is done: not "down" for a while).
    public func shutdown() async {
        await stop()
        await bulkExports.shutdown()
    }

    /// Stops listening; waits until the port is closed.
    public func stop() async {
        release()
        guard let server = running else { return }
        running = nil
        await server.stop()
    }

    private func release() {
        if let fd = holder { close(fd) }
        holder = nil
    }

    /// Changes the faults; going down stops the listener, coming back up starts it on the same port.
    public func setFaults(_ settings: FaultSettings) async throws {
        let wasDown = faults.current.down
        faults.set(settings)
        if settings.down, !wasDown {
            await stop()
            // Best effort: connections still open on the port (a client's keep-alive) can keep it from being held.
            if let port, let (fd, _) = try? Self.hold(host: host, port: port) { holder = fd }
        } else if !settings.down, running == nil, port != nil {
            try await start()
        }
    }

    /// A socket bound to `port` (0: any free one) on `host` without listening: connecting to it is refused.
    static func hold(host: String, port: Int) throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DemoSourceError.cannotListen(source: "-", host: host, port: port, reason: "socket()") }
        // SO_REUSEADDR: the listener that just stopped leaves the port in TIME_WAIT. (An outgoing connection may then
        // borrow the port briefly; coming back up retries until it is free.)
        var yes: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw DemoSourceError.cannotListen(source: "-", host: host, port: port, reason: "bind() (porten er optaget)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// A port the OS has free right now on `host`.
    ///
    /// The port is reserved now and bound later, so it is picked below the range the system hands out for outgoing
    /// connections and `bind(0)` (32768 and up on Linux): a busy process's client connections cannot take it in
    /// between. Only when no port there is free does it fall back to one the system picks.
    public static func freePort(host: String) throws -> Int {
        for _ in 0..<200 {
            let candidate = Int.random(in: 20_000..<32_000)
            if let (fd, port) = try? hold(host: host, port: candidate) {
                close(fd)
                return port
            }
        }
        let (fd, port) = try hold(host: host, port: 0)
        close(fd)
        return port
    }
}

/// Resumes one waiter once: with the bound port, or with the error that stopped the server from starting.
final class StartSignal: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Int, any Error>?, result: Result<Int, any Error>?)>((nil, nil))

    func succeed(_ port: Int) { finish(.success(port)) }
    func fail(_ error: any Error) { finish(.failure(error)) }

    private func finish(_ result: Result<Int, any Error>) {
        let continuation = state.withLock { state -> CheckedContinuation<Int, any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            let waiting = state.continuation
            state.continuation = nil
            return waiting
        }
        continuation?.resume(with: result)
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<Int, any Error>? in
                if let result = state.result { return result }
                state.continuation = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}

public enum DemoSourceError: Error, CustomStringConvertible, Sendable {
    case cannotListen(source: String, host: String, port: Int, reason: String)
    case unknownSource(String)

    public var description: String {
        switch self {
        case .cannotListen(let source, let host, let port, let reason):
            return "Kilden \(source) kan ikke lytte på \(host):\(port) (\(reason)). Er porten optaget? Brug --port-base."
        case .unknownSource(let id):
            return "Ukendt kilde '\(id)'"
        }
    }
}
