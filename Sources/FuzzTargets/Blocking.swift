import Dispatch
import Synchronization

/// Runs async work to its end from synchronous code (a fuzz input is synchronous): a detached task and a
/// semaphore, bounded so that a hang is reported as one instead of stalling for ever. Under the fuzzer, libFuzzer's
/// own `-timeout` (10 s) comes first; the bound is generous because in `make test` the task may wait long for one of
/// the cooperative threads the other tests keep busy.
enum Blocking {
    static func run<T: Sendable>(seconds: Int = 120, _ work: @escaping @Sendable () async -> T) -> T {
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
