// EventEngine: a stored event handed to the observers and woken rest-hook deliverers.

extension EventEngine {
    /// Calls `observer` with every event stored from now on (after its commit).
    public func onStored(_ observer: @escaping @Sendable (EventRecord) -> Void) {
        state.withLock { $0.observers.append(observer) }
    }

    /// A stored event (this node's or another's, already published to live connections) to observers and
    /// rest-hook deliverers.
    func delivered(_ result: AppendResult) {
        for observer in state.withLock({ $0.observers }) { observer(result.event) }
        let restHooks = state.withLock { state in
            result.numbers.keys.compactMap { state.deliverers[$0] }
        }
        for deliverer in restHooks { deliverer.wake() }
    }
}
