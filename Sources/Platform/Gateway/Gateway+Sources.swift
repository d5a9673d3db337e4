// Gateway: the registered sources, what each supports and whether it answers (cached health checks).

import FHIR
import Foundation

extension Gateway {
    /// The registered sources with what they support and whether they answer (checked at most every 10 s).
    public func sourceList() async -> JSONValue {
        let list = await withTaskGroup(of: (Int, JSONValue).self) { group in
            for (index, source) in sources.enumerated() {
                group.addTask { (index, await self.describe(source)) }
            }
            var all: [(Int, JSONValue)] = []
            for await item in group { all.append(item) }
            return all.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return .object(["sources": .array(list)])
    }

    private func describe(_ source: GatewaySource) async -> JSONValue {
        if let (known, at) = healthCache.withLock({ $0[source.id] }), Date().timeIntervalSince(at) < 10 { return known }
        let clock = ContinuousClock()
        let started = clock.now
        var health: JSONObject = ["checked": .string(FHIRDateTime(date: Date(), precision: .second).text)]
        var supports: [JSONValue] = []
        do {
            let statement = try await reader.json(source, "metadata")
            health["status"] = .string("up")
            let rest = statement["rest"]?.listValue.first
            supports = (rest?["resource"]?.listValue ?? []).compactMap { $0["type"]?.stringValue }.map(JSONValue.string)
        } catch {
            health["status"] = .string("down")
            health["message"] = .string("\(error)")
        }
        health["latencyMs"] = .number(
            Double(
                (clock.now - started).components.attoseconds / 1_000_000_000_000_000
                    + (clock.now - started).components.seconds * 1000))
        var described: JSONObject = [
            "id": .string(source.id), "name": .string(source.name), "sector": .string(source.sector),
            "kind": .string(source.kind.rawValue), "supports": .array(supports), "health": .object(health),
        ]
        if source.kind == .clinical { described["fhir"] = .string("\(publicBase)/sources/\(source.id)/fhir") }
        let value = JSONValue.object(described)
        healthCache.withLock { $0[source.id] = (value, Date()) }
        return value
    }
}
