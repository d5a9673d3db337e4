import Dispatch
import Synchronization

/// Runs async work to its end from synchronous code (a fuzz input is synchronous): a detached task and a
/// semaphore, bounded so that a hang is reported as one instead of stalling the fuzzer.
enum Blocking {
    static func run<T: Sendable>(seconds: Int = 10, _ work: @escaping @Sendable () async -> T) -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            let value = await work()
            result.withLock { $0 = value }
            done.signal()
        }
        guard done.wait(timeout: .now() + .seconds(seconds)) == .success, let value = result.withLock({ $0 }) else {
            fatalError("async work did not finish within \(seconds) s")
        }
        return value
    }
}
