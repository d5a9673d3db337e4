import Foundation

/// A product executable run as a user runs it, with everything it prints collected in the background (reading never
/// blocks), for end-to-end tests.
public final class ProcessRun: @unchecked Sendable {
    public let process: Process
    private let lock = NSLock()
    private var data = Data()

    /// The directory of the test bundle's build products (where `swift build` put the executables).
    public static func executable(_ name: String) -> URL? {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// `$XDG_DATA_HOME` for products run by this test process.
    public static let dataHome = FileManager.default.temporaryDirectory
        .appendingPathComponent("overblik-test-data-\(ProcessInfo.processInfo.processIdentifier)").path

    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    public init(_ name: String, _ arguments: [String], directory: URL, environment: [String: String] = [:]) throws {
        guard let executable = Self.executable(name) else {
            throw Missing(description: "build the \(name) product first (make test does)")
        }
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        // A product run by a test keeps its data (the node's audit key and checkpoints, its default storage) in
        // the test process's own folder, never in the user's home, unless the test names one.
        process.environment = ProcessInfo.processInfo.environment.merging(["XDG_DATA_HOME": Self.dataHome]) { $1 }
            .merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let chunk = handle.availableData
            guard let self else { return }
            self.lock.lock()
            self.data.append(chunk)
            self.lock.unlock()
        }
        try process.run()
    }

    public var output: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }

    /// Waits until the output contains `marker`, the process ends, or the time is up; returns the output so far.
    public func readUntil(_ marker: String, timeout: Duration) async -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, !output.contains(marker) {
            if !process.isRunning {
                try? await Task.sleep(for: .milliseconds(100))
                break
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return output
    }

    /// Waits for the process to end; true if it did in time.
    public func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { return false }
        try? await Task.sleep(for: .milliseconds(100))
        return true
    }
}
