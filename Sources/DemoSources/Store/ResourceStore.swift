import FHIR
import Foundation
import Synchronization

/// The resources of one demo source, in memory, safe to use from many requests at once. Reads and searches see a
/// consistent snapshot; `upsert` makes a new version (the scenario uses it to change data as the story unfolds).
public final class ResourceStore: Sendable {
    struct State {
        var byType: [String: [String: StoredResource]] = [:]
        /// Ids per type in insertion order, for a stable default order.
        var order: [String: [String]] = [:]
    }

    private let state: Mutex<State>
    /// The resource types this source serves (also those it holds none of yet).
    public let supportedTypes: [String]

    public init(resources: [JSONValue], supportedTypes: Set<String>) throws {
        var state = State()
        let now = FHIRDateTime(date: Date())
        for json in resources {
            guard let type = json["resourceType"]?.stringValue, let id = json["id"]?.stringValue else {
                throw FHIRError.invalid("A resource without resourceType or id")
            }
            let version = json["meta"]?["versionId"]?.stringValue.flatMap(Int.init) ?? 1
            let lastUpdated = json["meta"]?["lastUpdated"]?.stringValue.flatMap { try? FHIRDateTime($0) } ?? now
            let stored = StoredResource(json: json, type: type, id: id, versionId: version, lastUpdated: lastUpdated)
            if state.byType[type, default: [:]].updateValue(stored, forKey: id) == nil {
                state.order[type, default: []].append(id)
            }
        }
        self.supportedTypes = supportedTypes.union(state.byType.keys).sorted()
        self.state = Mutex(state)
    }

    public func read(type: String, id: String) -> StoredResource? {
        state.withLock { $0.byType[type]?[id] }
    }

    public func count(type: String) -> Int {
        state.withLock { $0.byType[type]?.count ?? 0 }
    }

    /// Stores a new version of a resource (or its first), stamping `meta.versionId` and `meta.lastUpdated`.
    @discardableResult
    public func upsert(_ json: JSONValue, at time: Date = Date()) throws -> StoredResource {
        guard let type = json["resourceType"]?.stringValue, supportedTypes.contains(type) else {
            throw FHIRError.notSupported("Ressourcetypen understøttes ikke af denne kilde", status: 404)
        }
        guard let id = json["id"]?.stringValue, FHIRID.isValid(id) else {
            throw FHIRError.invalid("Ressourcen mangler et gyldigt id")
        }
        let lastUpdated = FHIRDateTime(date: time)
        return state.withLock { state in
            let version = (state.byType[type]?[id]?.versionId ?? 0) + 1
            let stored = StoredResource(json: json, type: type, id: id, versionId: version, lastUpdated: lastUpdated)
            if state.byType[type, default: [:]].updateValue(stored, forKey: id) == nil {
                state.order[type, default: []].append(id)
            }
            return stored
        }
    }

    /// The matches of a search: the total and the requested page.
    func search(_ request: SearchRequest) -> (total: Int, page: [StoredResource]) {
        let candidates: [StoredResource] = state.withLock { state in
            guard let resources = state.byType[request.resourceType], let order = state.order[request.resourceType] else {
                return []
            }
            return order.compactMap { resources[$0] }
        }
        var matches = candidates.filter { resource in
            request.criteria.allSatisfy { $0.matches(resource.index[$0.definition.name] ?? []) }
        }
        if !request.sort.isEmpty {
            matches.sort { a, b in
                for (definition, descending) in request.sort {
                    let keyA = Self.sortKey(a, definition, descending)
                    let keyB = Self.sortKey(b, definition, descending)
                    switch (keyA, keyB) {
                    case (nil, nil): continue
                    case (nil, _): return false  // missing values last
                    case (_, nil): return true
                    case (let x?, let y?):
                        if x == y { continue }
                        return descending ? x > y : x < y
                    }
                }
                return a.id < b.id
            }
        }
        if request.summaryCount { return (matches.count, []) }
        let start = min(request.offset, matches.count)
        let end = min(start + request.count, matches.count)
        return (matches.count, Array(matches[start..<end]))
    }

    private static func sortKey(
        _ resource: StoredResource, _ definition: SearchParameterDefinition, _ descending: Bool
    )
        -> SearchValue.SortKey?
    {
        if definition.name == "_lastUpdated" { return .date(resource.lastUpdated.lowerBound) }
        if definition.name == "_id" { return .text(resource.id) }
        let keys = (resource.index[definition.name] ?? []).map(\.sortKey)
        return descending ? keys.max() : keys.min()
    }
}
