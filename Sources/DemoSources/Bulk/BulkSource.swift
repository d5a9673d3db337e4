import FHIR
import Foundation

/// What a source exports through FHIR Bulk Data: its resources as NDJSON lines, type by type. The demo sources
/// export what they hold in memory (`ResourceStore`); the cohort source exports the files `make cohort` wrote
/// (`CohortFiles`), which are far too many to hold.
package protocol BulkSource: Sendable {
    /// The types an export may ask for (`_type`), in the order an export without `_type` writes them.
    var exportTypes: [String] { get }
    /// About how many resources of `type` there are (for `X-Progress`).
    func estimatedCount(of type: String) -> Int
    /// The patients of the group `id` (ids at this source), nil when there is no such group.
    func groupMembers(_ id: String) -> Set<String>?
    /// Calls `line` with each resource of `type` (its JSON, one line, no newline) last updated after `since`, and
    /// with `patients` only those of these patients (a Patient itself, or a resource whose subject or patient is one
    /// of them); `patientsOnly`: only resources in some patient's compartment. Throws what `line` throws (a
    /// cancelled export stops there).
    func forEach(
        _ type: String, since: Date?, patients: Set<String>?, patientsOnly: Bool, _ line: ([UInt8]) throws -> Void
    ) throws
}

/// A demo source's resources, from a snapshot of its store taken as the export starts.
package struct StoreBulkSource: BulkSource {
    let store: ResourceStore

    package init(store: ResourceStore) { self.store = store }

    package var exportTypes: [String] { store.supportedTypes }

    package func estimatedCount(of type: String) -> Int { store.count(type: type) }

    package func groupMembers(_ id: String) -> Set<String>? {
        guard let group = store.read(type: "Group", id: id) else { return nil }
        return Set(
            (group.json["member"]?.listValue ?? []).compactMap { member in
                member["entity"]?["reference"]?.stringValue.flatMap(Self.patientID)
            })
    }

    package func forEach(
        _ type: String, since: Date?, patients: Set<String>?, patientsOnly: Bool, _ line: ([UInt8]) throws -> Void
    ) throws {
        for resource in store.all(type: type) {
            if let since, resource.lastUpdated.lowerBound <= since { continue }
            if patients != nil || patientsOnly {
                let owners = Self.patients(of: resource)
                if owners.isEmpty { continue }
                if let patients, owners.isDisjoint(with: patients) { continue }
            }
            try line(resource.bytes)
        }
    }

    /// The patients a resource belongs to: itself for a Patient, else its `subject` or `patient` references.
    static func patients(of resource: StoredResource) -> Set<String> {
        if resource.type == "Patient" { return [resource.id] }
        var found: Set<String> = []
        for name in ["patient", "subject"] {
            for case .reference(let type, let id?, _, _) in resource.index[name] ?? [] where type == nil || type == "Patient" {
                found.insert(id)
            }
        }
        return found
    }

    /// `Patient/123` (relative, or the end of an absolute URL) → `123`.
    static func patientID(_ reference: String) -> String? {
        guard let range = reference.range(of: "Patient/", options: .backwards) else { return nil }
        let id = reference[range.upperBound...].prefix { $0 != "/" }
        return id.isEmpty ? nil : String(id)
    }
}
