import Synchronization

/// The current fault settings of one source, shared between its server and whoever changes them.
public final class FaultControl: Sendable {
    private let settings: Mutex<FaultSettings>

    public init(_ initial: FaultSettings = .none) {
        settings = Mutex(initial)
    }

    public var current: FaultSettings {
        settings.withLock { $0 }
    }

    func set(_ new: FaultSettings) {
        settings.withLock { $0 = new }
    }
}
