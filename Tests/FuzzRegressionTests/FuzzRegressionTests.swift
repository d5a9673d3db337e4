import Foundation
import FuzzTargets
import Testing

/// Every seed of the fuzz corpora (`Tests/FuzzCorpus/<target>/`) and every input the fuzzer found a crash with
/// (`Tests/FuzzRegressions/<target>/`, kept after the fix) through its target, without the fuzzer: a broken
/// property fails the test; a crash that came back crashes the test process (which fails `make test` as well).
@Suite struct FuzzRegressionTests {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    static func inputs(_ folder: String, _ target: FuzzTarget) -> [URL] {
        let directory = tests.appendingPathComponent(folder).appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// The broken properties of each file, on a thread of its own: the token target waits for async work, which
    /// must not block one of Swift's few cooperative threads (with two cores, two such waits starve the pool).
    static func violations(_ target: FuzzTarget, _ files: [URL]) async throws -> [(String, [String])] {
        let inputs = try files.map { ($0.lastPathComponent, Array(try Data(contentsOf: $0))) }
        return await withCheckedContinuation { continuation in
            Thread {
                continuation.resume(returning: inputs.map { ($0.0, FuzzTarget.violations(target, $0.1)) })
            }.start()
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func seedsKeepTheirProperties(_ target: FuzzTarget) async throws {
        let seeds = Self.inputs("FuzzCorpus", target)
        #expect(!seeds.isEmpty, "Tests/FuzzCorpus/\(target.rawValue) has no seeds")
        for (name, problems) in try await Self.violations(target, seeds) {
            #expect(problems.isEmpty, "\(name): \(problems)")
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func foundCrashesStayFixed(_ target: FuzzTarget) async throws {
        for (name, problems) in try await Self.violations(target, Self.inputs("FuzzRegressions", target)) {
            #expect(problems.isEmpty, "\(name): \(problems)")
        }
    }
}
