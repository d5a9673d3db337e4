import FHIR
import Foundation
import Synchronization

/// The resources of one demo source, in memory, safe to use from many requests at once. Reads and searches see a
/// consistent snapshot; `upsert` makes a new version (the scenario uses it to change data as the story unfolds).
public final class ResourceStore: Sendable {
    struct State {
        /// Resources per type in insertion order (the stable default order); a new version takes the old one's place.
        var byType: [String: [StoredResource]] = [:]
        /// Where each id is in its type's list.
        var position: [String: [String: Int]] = [:]
        /// Type → reference parameter → referenced id → positions (ascending), built on first use and dropped when
        /// the type changes: `patient=<id>`, the search every overview makes, need not look at every resource.
        var references: [String: [String: [String: [Int]]]] = [:]

        /// Adds or replaces; true when the id is new.
        @discardableResult
        mutating func put(_ stored: StoredResource) -> Bool {
            references[stored.type] = nil
            if let index = position[stored.type]?[stored.id] {
                byType[stored.type]?[index] = stored
                return false
            }
            position[stored.type, default: [:]][stored.id] = byType[stored.type]?.count ?? 0
            byType[stored.type, default: []].append(stored)
            return true
        }

        func get(type: String, id: String) -> StoredResource? {
            guard let index = position[type]?[id] else { return nil }
            return byType[type]?[index]
        }

        /// The resources of `type` whose reference parameter `name` points at one of `ids`, in list order.
        mutating func referencing(type: String, name: String, ids: [String]) -> [StoredResource] {
            let list = byType[type] ?? []
            if references[type]?[name] == nil {
                var index: [String: [Int]] = [:]
                for (position, resource) in list.enumerated() {
                    for case .reference(_, let id?, _, _) in resource.index[name] ?? [] where index[id]?.last != position {
                        index[id, default: []].append(position)
                    }
                }
                references[type, default: [:]][name] = index
            }
            let table = references[type]?[name] ?? [:]
            let positions = ids.count == 1 ? table[ids[0]] ?? [] : Set(ids.flatMap { table[$0] ?? [] }).sorted()
            return positions.map { list[$0] }
        }
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
            state.put(StoredResource(json: json, type: type, id: id, versionId: version, lastUpdated: lastUpdated))
        }
        self.supportedTypes = supportedTypes.union(state.byType.keys).sorted()
        self.state = Mutex(state)
    }

    public func read(type: String, id: String) -> StoredResource? {
        state.withLock { $0.get(type: type, id: id) }
    }

    /// Every resource of `type` now, in insertion order (a snapshot: later changes do not show in it).
    package func all(type: String) -> [StoredResource] {
        state.withLock { $0.byType[type] ?? [] }
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
            let version = (state.get(type: type, id: id)?.versionId ?? 0) + 1
            let stored = StoredResource(json: json, type: type, id: id, versionId: version, lastUpdated: lastUpdated)
            state.put(stored)
            return stored
        }
    }

    /// The matches of a search: the total and the requested page.
    func search(_ request: SearchRequest) -> (total: Int, page: [StoredResource]) {
        // A snapshot: the array is shared, not copied, and filtered outside the lock. A search by reference (the
        // patient's resources) starts from the resources that point at the id; every criterion is still checked.
        let byReference = request.criteria.first { criterion in
            criterion.definition.type == .reference && !criterion.negated && criterion.missing == nil
                && !criterion.matchers.isEmpty
                && criterion.matchers.allSatisfy { if case .reference = $0 { return true } else { return false } }
        }
        let candidates = state.withLock { state -> [StoredResource] in
            guard let byReference else { return state.byType[request.resourceType] ?? [] }
            let ids = byReference.matchers.compactMap { matcher -> String? in
                if case .reference(_, let id) = matcher { return id }
                return nil
            }
            return state.referencing(type: request.resourceType, name: byReference.definition.name, ids: ids)
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
