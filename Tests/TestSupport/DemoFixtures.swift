import DemoSources
import Foundation

/// What every test target shares: where the repository is, and the demo data, loaded once per test process with
/// its dates as generated (no shift: screens and assertions stay the same every day).
public enum DemoFixtures {
    public static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    public static let dataDirectory = repositoryRoot.appendingPathComponent("demo-data")

    private static let loaded = Result { try DemoDataSet.load(from: dataDirectory, dateShift: DateShift.none) }

    /// The demo data, loaded once; an error (a missing or broken demo-data/) is thrown to every test that needs it.
    public static func data() throws -> DemoDataSet { try loaded.get() }
}
