import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of the platform's routes: websocket upgrades for the engine, the client's address for the
/// gateway's rate limits and audit entries.
public struct PlatformRequestContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    public let remoteAddress: SocketAddress?
    /// Who is asking, once the gateway has verified their token (engine routes behind a gateway).
    public var identity: Identity?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.remoteAddress = source.channel.remoteAddress
    }
}
