import FHIR
import Foundation

/// A cohort `CohortGenerator` wrote, exported through Bulk Data by the cohort source: each type's NDJSON file read
/// from disk a megabyte at a time (the cohort is far too big to hold), its lines passed on as they are.
///
/// Every resource of a cohort was last updated when it was made (`Manifest.generated`), so `_since` before that
/// exports everything and after it nothing. The cohort has no groups; `Patient/$export` is all of it (every resource
/// is a patient's).
public struct CohortFiles: BulkSource {
    public struct Manifest: Codable, Sendable, Equatable {
        public var persons: Int
        public var seed: UInt64
        public var generated: String
        public var counts: [String: Int]
        public var version: Int
    }

    static let manifestName = "cohort.json"
    static let version = 1
    public let folder: URL
    public let manifest: Manifest
    let generated: Date

    /// The cohort in `folder`; an error in words when there is none, or it is not one this version wrote.
    public init(folder: URL) throws {
        self.folder = folder
        let file = folder.appendingPathComponent(Self.manifestName)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw CohortError("Ingen kohorte i \(folder.path) (lav den med make cohort)")
        }
        guard let manifest = try? JSONDecoder().decode(Manifest.self, from: data), manifest.version == Self.version,
            let generated = try? FHIRDateTime(manifest.generated)
        else { throw CohortError("\(file.path) er ikke en kohorte fra denne version (lav den igen med make cohort)") }
        for type in manifest.counts.keys
        where !FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(type).ndjson").path) {
            throw CohortError("Kohorten i \(folder.path) mangler \(type).ndjson (lav den igen med make cohort)")
        }
        self.manifest = manifest
        self.generated = generated.lowerBound
    }

    package var exportTypes: [String] { CohortGenerator.types.filter { manifest.counts[$0] != nil } }

    package func estimatedCount(of type: String) -> Int { manifest.counts[type] ?? 0 }

    package func groupMembers(_ id: String) -> Set<String>? { nil }

    package func forEach(
        _ type: String, since: Date?, patients: Set<String>?, patientsOnly: Bool, _ line: ([UInt8]) throws -> Void
    ) throws {
        if let since, since >= generated { return }
        let file = folder.appendingPathComponent("\(type).ndjson")
        guard FileManager.default.isReadableFile(atPath: file.path) else { throw CohortError("\(type).ndjson kan ikke læses") }
        try NDJSONLines.read(file) { _, bytes in
            if let patients, !Self.belongs(bytes, type: type, to: patients) { return }
            try line(Array(bytes))
        }
    }

    /// Whether a cohort line is one of `patients`' (the generator writes a Patient's `id`, and every other resource's
    /// `subject`, as the first of its kind on the line).
    static func belongs(_ line: ArraySlice<UInt8>, type: String, to patients: Set<String>) -> Bool {
        let marker = Array((type == "Patient" ? "\"id\":\"" : "\"subject\":{\"reference\":\"Patient/").utf8)
        guard let at = line.firstRange(of: marker) else { return false }
        let rest = line[at.upperBound...]
        guard let end = rest.firstIndex(of: UInt8(ascii: "\"")) else { return false }
        return patients.contains(String(decoding: rest[..<end], as: UTF8.self))
    }
}

/// A cohort that cannot be made or read, in words.
public struct CohortError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
