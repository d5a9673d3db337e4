import Crypto
import DemoSources
import FHIR
import Federation
import Foundation
import OverblikApp
import Terminal

/// Figures for the TUI ([3/5]): view plus diff per frame at 80x24 and 200x60 on the large patient's overview, key
/// to finished frame, resident memory with 50 patients opened, and the first frame in demo mode.
enum TUIBench {
    static func run(data: DemoDataSet, iterations: Int, report: inout BenchReport) async throws {
        let clock = ContinuousClock()
        TerminalLocale.setUp()
        // First frame: what the TUI draws before any source has answered.
        var start = clock.now
        let first = Model(width: 80, height: 24, now: Date(), sourceCount: 3)
        _ = View.render(first)
        report.add("tui_first_frame_ms", (clock.now - start).milliseconds)

        let cluster = try DemoSourceCluster(data: data, ports: .ephemeral)
        try await cluster.start()
        let definitions = await FederationBench.definitions(cluster)
        let http = FHIRHTTPClient(http: FHIRHTTPClient.makeHTTPClient())
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("overblik-tuibench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let cache = try ResourceCache(path: directory.appendingPathComponent("c.sqlite").path, key: SymmetricKey(size: .bits256))
        let client = FederatedClient(registry: SourceRegistry(sources: definitions), client: http, cache: cache)
        let large = try CPRNumber(data.manifest.patients.first { $0.tags.contains("large") }?.cpr ?? "1703589978")
        let overview = await client.overview(cpr: large)

        for (width, height) in [(80, 24), (200, 60)] {
            var model = Model(width: width, height: height, now: Date(), sourceCount: 3)
            for key in large.value { _ = Update.update(&model, .key(.character(key))) }
            _ = Update.update(&model, .key(.enter))
            _ = Update.update(&model, .overviewLoaded(overview, complete: true))
            _ = Update.update(&model, .key(.character("6")))
            var previous = View.render(model)
            var frames: [Double] = []
            var keyToFrame: [Double] = []
            for index in 0..<iterations {
                start = clock.now
                let screen = View.render(model)
                // The diff the backend does: which cells changed since the last frame.
                var changed = 0
                for y in 0..<screen.height {
                    for x in 0..<screen.width where screen[x, y] != previous[x, y] { changed += 1 }
                }
                frames.append((clock.now - start).milliseconds)
                previous = screen
                start = clock.now
                _ = Update.update(&model, .key(index % 2 == 0 ? .down : .up))
                _ = View.render(model)
                keyToFrame.append((clock.now - start).milliseconds)
                if changed < 0 { print(changed) }
            }
            report.add("tui_frame_\(width)x\(height)_p50_ms", BenchReport.percentile(frames, 0.5))
            report.add("tui_frame_\(width)x\(height)_p95_ms", BenchReport.percentile(frames, 0.95))
            report.add("tui_key_to_frame_\(width)x\(height)_p50_ms", BenchReport.percentile(keyToFrame, 0.5))
            report.add("tui_key_to_frame_\(width)x\(height)_p95_ms", BenchReport.percentile(keyToFrame, 0.95))
        }

        // Fifty patients opened one after another in one model, as in a long shift. This process also holds the demo
        // sources' data; the growth over the fifty patients is what the client and its caches cost.
        let before = residentMegabytes()
        var model = Model(width: 80, height: 24, now: Date(), sourceCount: 3)
        let patients = data.manifest.patients
        for index in 0..<50 {
            let cpr = try CPRNumber(patients[index % patients.count].cpr)
            _ = Update.update(&model, .key(.character(":")))
            for key in "p \(cpr.value)" { _ = Update.update(&model, .key(.character(key))) }
            _ = Update.update(&model, .key(.enter))
            _ = Update.update(&model, .overviewLoaded(await client.overview(cpr: cpr), complete: true))
            _ = View.render(model)
        }
        report.add("tui_resident_mb_with_demo_sources_before", before)
        report.add("tui_resident_mb_with_demo_sources_after_50_patients", residentMegabytes())
        report.add("tui_resident_growth_mb_50_patients", residentMegabytes() - before)
        await cluster.stop()
        try await http.http.shutdown()
    }

    /// Resident set size of this process, from /proc/self/statm.
    static func residentMegabytes() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
    }
}
