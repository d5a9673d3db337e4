import Federation
import Foundation

/// Lines of "Min log" as a person reads them: one opening of a record is many requests (every source, every kind of
/// data), so consecutive entries by the same person, with the same purpose and outcome, within five minutes, are one
/// line with the sources and the number of lookups.
public struct AccessLogGroup: Sendable, Equatable {
    public var first: AccessLogEntry
    public var sources: [String]
    /// Every kind of data the grouped lookups read (`Condition`, `Encounter`, ...), in first-seen order.
    public var resourceTypes: [String]
    public var count: Int
    public var from: Date
    public var to: Date

    public static func group(_ entries: [AccessLogEntry]) -> [AccessLogGroup] {
        var groups: [AccessLogGroup] = []
        for entry in entries {
            if var last = groups.last, last.first.who == entry.who, last.first.organization == entry.organization,
                last.first.app == entry.app, last.first.emergency == entry.emergency, last.first.outcome == entry.outcome,
                last.first.reason == entry.reason, last.first.patientCPR == entry.patientCPR,
                abs(last.from.timeIntervalSince(entry.recorded)) < 300
            {
                if let source = entry.source, !last.sources.contains(source) { last.sources.append(source) }
                for type in Self.types(entry) where !last.resourceTypes.contains(type) { last.resourceTypes.append(type) }
                last.count += 1
                last.from = min(last.from, entry.recorded)
                last.to = max(last.to, entry.recorded)
                groups[groups.count - 1] = last
            } else {
                groups.append(
                    AccessLogGroup(
                        first: entry, sources: entry.source.map { [$0] } ?? [], resourceTypes: Self.types(entry), count: 1,
                        from: entry.recorded, to: entry.recorded))
            }
        }
        return groups
    }

    /// "Encounter, Patient" → ["Encounter", "Patient"].
    static func types(_ entry: AccessLogEntry) -> [String] {
        var seen = Set<String>()
        return entry.resourceTypes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}
