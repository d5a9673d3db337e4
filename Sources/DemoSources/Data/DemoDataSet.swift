import FHIR
import Foundation

/// The synthetic demo data: the manifest and every source's resources, read from `demo-data/`.
public struct DemoDataSet: Sendable {
    public let directory: URL
    public let manifest: DemoManifest
    /// Source id → resources as they came from the files (after the date shift).
    public let resources: [String: [JSONValue]]
    public let dateShift: DateShift

    /// Reads only `manifest.json` (fast: to know the sources before their data is loaded).
    public static func loadManifest(from directory: URL) throws -> DemoManifest {
        let url = directory.appendingPathComponent("manifest.json")
        do {
            return try JSONDecoder().decode(DemoManifest.self, from: try Data(contentsOf: url))
        } catch {
            throw DemoDataError(file: url.path, reason: "ugyldigt eller manglende manifest: \(error)")
        }
    }

    /// Reads `manifest.json` and `<source>/<ResourceType>.ndjson`. Every line must be a resource of the file's type
    /// with an id; the first problem found is thrown, naming the file and line.
    public static func load(from directory: URL, dateShift: DateShift? = nil) throws -> DemoDataSet {
        let manifestURL = directory.appendingPathComponent("manifest.json")
        let manifestData: Data
        do {
            manifestData = try Data(contentsOf: manifestURL)
        } catch {
            throw DemoDataError(file: manifestURL.path, reason: "kan ikke læses (\(error.localizedDescription))")
        }
        let manifest: DemoManifest
        do {
            manifest = try JSONDecoder().decode(DemoManifest.self, from: manifestData)
        } catch {
            throw DemoDataError(file: manifestURL.path, reason: "ugyldigt manifest: \(AnyResource.describe(error))")
        }
        let shift = dateShift ?? DateShift.toToday(from: manifest.anchorDate)
        var resources: [String: [JSONValue]] = [:]
        for source in manifest.sources {
            let sourceDirectory = directory.appendingPathComponent(source.id)
            let files: [String]
            do {
                files = try FileManager.default.contentsOfDirectory(atPath: sourceDirectory.path)
                    .filter { $0.hasSuffix(".ndjson") }.sorted()
            } catch {
                throw DemoDataError(file: sourceDirectory.path, reason: "mappen mangler eller kan ikke læses")
            }
            var list: [JSONValue] = []
            for file in files {
                let url = sourceDirectory.appendingPathComponent(file)
                list += try readNDJSON(url, expectedType: String(file.dropLast(".ndjson".count)), shift: shift)
            }
            resources[source.id] = list
        }
        return DemoDataSet(directory: directory, manifest: manifest, resources: resources, dateShift: shift)
    }

    static func readNDJSON(_ url: URL, expectedType: String, shift: DateShift) throws -> [JSONValue] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DemoDataError(file: url.path, reason: "kan ikke læses (\(error.localizedDescription))")
        }
        var result: [JSONValue] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 32 || $0 == 13 || $0 == 9 }) { continue }
            let value: JSONValue
            do {
                value = try JSONValue.parse(Data(line))
            } catch {
                throw DemoDataError(file: url.path, line: lineNumber, reason: "ugyldig JSON (\(error.localizedDescription))")
            }
            guard value["resourceType"]?.stringValue == expectedType else {
                throw DemoDataError(
                    file: url.path, line: lineNumber,
                    reason: "resourceType skal være \(expectedType), er \(value["resourceType"]?.stringValue ?? "ingen")")
            }
            guard let id = value["id"]?.stringValue, FHIRID.isValid(id) else {
                throw DemoDataError(file: url.path, line: lineNumber, reason: "id mangler eller er ugyldigt")
            }
            result.append(shift.apply(to: value))
        }
        return result
    }

    /// Finds `demo-data/`: `$OVERBLIK_DEMO_DATA`, else `./demo-data`, else beside or above the executable (for
    /// `.build/debug/...` inside a checkout), else the checkout this module was built from.
    public static func locateDirectory(filePath: String = #filePath) -> URL? {
        let fm = FileManager.default
        func ok(_ url: URL) -> Bool { fm.fileExists(atPath: url.appendingPathComponent("manifest.json").path) }
        if let env = ProcessInfo.processInfo.environment["OVERBLIK_DEMO_DATA"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        var candidates = [URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("demo-data")]
        var executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        for _ in 0..<6 {
            executable.deleteLastPathComponent()
            candidates.append(executable.appendingPathComponent("demo-data"))
        }
        var source = URL(fileURLWithPath: filePath)
        for _ in 0..<4 { source.deleteLastPathComponent() }
        candidates.append(source.appendingPathComponent("demo-data"))
        return candidates.first(where: ok)
    }
}
