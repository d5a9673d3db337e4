import Synchronization

/// Messages from background work to the UI loop, in order. `post` wakes the loop.
public final class Mailbox<Message: Sendable>: Sendable {
    private let queue = Mutex<[Message]>([])
    private let wake: WakePipe

    public init(wake: WakePipe) {
        self.wake = wake
    }

    public func post(_ message: Message) {
        queue.withLock { $0.append(message) }
        wake.wake()
    }

    /// Everything posted since the last call.
    public func takeAll() -> [Message] {
        queue.withLock { messages in
            defer { messages.removeAll() }
            return messages
        }
    }
}
