import FHIR
import Foundation

/// What one source gave for one overview: its status, the patient as it knows them, and the resources.
public struct SourceResult: Sendable {
    public let source: SourceDefinition
    public var status: SourceStatus
    public var patients: [Patient]
    public var resources: [FetchedResource]
    /// The memory cache's stamps of the pages `patients` and `resources` came from (empty when none are given).
    var pageStamps: [UInt64] = []

    public init(source: SourceDefinition, status: SourceStatus, patients: [Patient] = [], resources: [FetchedResource] = []) {
        self.source = source
        self.status = status
        self.patients = patients
        self.resources = resources
    }
}

/// A resource and when it was fetched from its source.
public struct FetchedResource: Sendable {
    public let resource: AnyResource
    public let fetchedAt: Date

    public init(resource: AnyResource, fetchedAt: Date) {
        self.resource = resource
        self.fetchedAt = fetchedAt
    }
}
