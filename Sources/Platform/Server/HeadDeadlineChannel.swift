import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// A server child channel that closes a connection whose first request head has not arrived within `timeout`:
/// one that sends nothing, trickles a request line byte by byte, or sends bytes that are not HTTP (a TLS hello to
/// a plain port). Hummingbird's own idle limit starts only once the websocket-upgrade channel has read a first
/// head, so without this a few thousand silent connections could hold the node. Under TLS it sits after the TLS
/// handler, so it sees the request itself; once a head is complete its deadline is off, and Hummingbird's idle
/// limit takes over (long answers such as SSE streams are not cut).
struct HeadDeadlineChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let timeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(HeadDeadlineHandler(timeout: timeout))
        }.flatMap {
            self.base.setup(channel: channel, logger: logger)
        }.flatMapThrowing { value in
            // Behind the HTTP decoder: a request it cannot parse is answered 400 and closed at once (the
            // websocket-upgrade pipeline leaves such errors to no one, and the connection would wait).
            try channel.pipeline.syncOperations.addHandler(BadRequestCloser(), position: .last)
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Closes the channel `timeout` after it became active unless the end of a request head (`\r\n\r\n`) has been read
/// by then; then only passes bytes on, and writes the bare 400 that `BadRequestCloser` asks for.
final class HeadDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let badRequest = Array(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/fhir+json\r\nConnection: close\r\nContent-Length: 114\r\n\r\n{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"structure\",\"diagnostics\":\"Ugyldig HTTP\"}]}"
            .utf8)

    let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    /// The last bytes read, to find `\r\n\r\n` split across reads.
    private var tail: [UInt8] = []
    private var done = false

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard deadline == nil, !done else { return }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            loopBound.value.close(promise: nil)
        }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is BadRequestEvent else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: Self.badRequest))).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
        promise?.succeed()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if !done {
            var window = tail
            window += buffer.readableBytesView.suffix(4096)
            let end: [UInt8] = [13, 10, 13, 10]
            let found = window.count >= 4 && (0...(window.count - 4)).contains { window[$0..<($0 + 4)].elementsEqual(end) }
            tail = Array(window.suffix(3))
            if found {
                done = true
                deadline?.cancel()
                deadline = nil
                // It stays, inert, to answer a request the decoder cannot parse (a header with control characters).
            }
        }
        context.fireChannelRead(data)
    }
}

/// At the end of the pipeline: an HTTP parse error (garbage, a header with control characters, a broken chunk)
/// reached the tail unhandled. Asks the head handler to answer 400 and close.
final class BadRequestCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Any

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            context.triggerUserOutboundEvent(BadRequestEvent(), promise: nil)
            return
        }
        context.fireErrorCaught(error)
    }
}

/// Asks `HeadDeadlineHandler` to write a bare 400 and close.
struct BadRequestEvent {}
