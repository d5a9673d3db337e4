// EventEngine: a source's notification taken in: each event classified, stored once, numbered and handed on.

import FHIR
import Foundation
import Logging
import Words

extension EventEngine {
    public struct AcceptSummary: Sendable, Equatable {
        public var type: String
        public var stored = 0
        public var duplicates = 0
        /// What was left out of the notification and why (`platform.ignored-*`).
        public var ignored: [Phrase] = []
        public var deliveries = 0
    }

    /// Accepts one notification bundle from `sourceID`. Malformed: throws 400, nothing stored.
    public func accept(sourceID: String, body: Data) async throws(PlatformError) -> AcceptSummary {
        guard let base = sources[sourceID] else {
            throw PlatformError.notFound(
                Phrase(
                    "denial.unknown-source",
                    ["source": .text(sourceID), "known": .text(sources.keys.sorted().joined(separator: ", "))]))
        }
        let notification = try IncomingNotification.parse(body)
        var summary = AcceptSummary(type: notification.type)
        guard notification.carriesEvents else { return summary }
        let hint = notification.topic.flatMap(EventTopic.named)
        for (index, incoming) in notification.events.enumerated() {
            guard let reference = incoming.focus else {
                summary.ignored.append(Phrase("outcome.ignored-no-focus", ["number": .integer(index + 1)]))
                continue
            }
            let focus = Self.absolute(reference, base: base)
            guard Self.lies(focus, within: base) else {
                summary.ignored.append(
                    Phrase(
                        "outcome.ignored-foreign-focus",
                        ["number": .integer(index + 1), "reference": .text(TextSanitizer.cleanLine(reference, maxLength: 120))]))
                continue
            }
            var resource = notification.resources[focus] ?? notification.resources[reference]
            if resource == nil { resource = await fetch(focus) }
            var patient: JSONValue?
            if let resource {
                if resource["resourceType"]?.stringValue == "Patient" {
                    patient = resource
                } else if let patientReference = EventClassifier.patientReference(of: resource) {
                    let url = Self.absolute(patientReference, base: base)
                    if Self.lies(url, within: base) {
                        patient = notification.resources[url] ?? notification.resources[patientReference]
                        if patient == nil { patient = await fetch(url) }
                    }
                }
            }
            let previous: [EventCode]
            do {
                previous = try await storage.codes(forFocus: focus)
            } catch {
                throw PlatformError.unavailable(Phrase("outcome.event-log-unreadable", ["error": .error(error)]))
            }
            let code: EventCode?
            if let resource {
                code = EventClassifier.code(for: resource, hint: hint, previous: previous)
            } else {
                code = hint.flatMap { $0.codes.count == 1 ? $0.codes[0] : nil }
            }
            guard let code, let topic = hint ?? EventTopic.primary(for: code) else {
                summary.ignored.append(
                    Phrase(
                        "outcome.ignored-no-topic",
                        ["number": .integer(index + 1), "reference": .text(TextSanitizer.cleanLine(reference, maxLength: 120))]))
                continue
            }
            let organization: (code: String?, name: String?) = resource.map(EventClassifier.organization) ?? (nil, nil)
            let key = [
                sourceID, notification.subscription ?? "-", incoming.number.map(String.init) ?? UUID().uuidString, focus,
            ].joined(separator: "|")
            let record = EventRecord(
                sourceKey: key, sourceID: sourceID, topic: topic.slug, code: code, focus: focus,
                patientCPR: patient.flatMap(EventClassifier.cpr), organization: organization.code,
                organizationName: organization.name, municipality: patient.flatMap(EventClassifier.municipality),
                occurred: incoming.timestamp ?? Date(), accepted: Date())
            let result: AppendResult?
            do {
                result = try await store(record)
            } catch {
                logger.error("Hændelsen kunne ikke gemmes: \(error)")
                throw PlatformError.unavailable(Phrase("outcome.event-unsaved", ["error": .error(error)]))
            }
            guard let result else {
                summary.duplicates += 1
                continue
            }
            summary.stored += 1
            summary.deliveries += result.numbers.count
            if let resource { remember(resource, at: focus) }
            delivered(result)
        }
        if !summary.ignored.isEmpty {
            logger.info("Notifikation fra \(sourceID): \(summary.ignored.map(Catalog.danish.text).joined(separator: "; "))")
        }
        return summary
    }

    /// Stores and numbers one event against the subscriptions as they are in storage: when another node changed
    /// them since this node read them, read them again and match again.
    private func store(_ record: EventRecord) async throws -> AppendResult? {
        let gate = deliveryGate
        // The event may open or close a relationship: what was concluded about the patient is read afresh.
        gate?.eventArrived(record)
        var told: [String: Bool] = [:]
        var attempt = 0
        while true {
            attempt += 1
            let (candidates, version) = state.withLock { state in
                (state.subscriptions.values.filter { $0.matches(record) }, state.subscriptionsVersion)
            }
            var matching = candidates.map(\.id)
            if let gate {
                matching = await admitted(candidates, record, gate: gate, decided: &told)
            }
            do {
                // Published from the commit: on SQLite (one writer) live connections get numbers in order.
                let hub = self.hub
                return try await storage.append(record, for: matching, subscriptionsVersion: version) {
                    hub.publish($0)
                }
            } catch StorageConflict.subscriptionsChanged where attempt < 10 {
                try await reloadSubscriptions()
            }
        }
    }

    /// The subscriptions among `candidates` whose audience may be told of `event`, each distinct audience asked
    /// once (at once, side by side); a subscription without an audience tells no one (fail closed).
    private func admitted(
        _ candidates: [SubscriptionRecord], _ event: EventRecord, gate: any DeliveryGate, decided: inout [String: Bool]
    ) async -> [String] {
        var open: [String: Identity] = [:]
        for audience in candidates.compactMap(\.audience) where decided[audience.accessKey] == nil {
            open[audience.accessKey] = audience
        }
        if !open.isEmpty {
            let answers = await withTaskGroup(of: (String, Bool).self) { group in
                for (key, audience) in open {
                    group.addTask { (key, await gate.mayBeTold(audience, about: event)) }
                }
                var answers: [(String, Bool)] = []
                for await answer in group { answers.append(answer) }
                return answers
            }
            for (key, told) in answers { decided[key] = told }
        }
        var out: [String] = []
        var withheld = 0
        for candidate in candidates {
            if let audience = candidate.audience, decided[audience.accessKey] == true {
                out.append(candidate.id)
            } else {
                withheld += 1
            }
        }
        if withheld > 0 {
            logger.debug(
                "Hændelsen \(event.code.rawValue) holdt tilbage fra \(withheld) abonnement(er) uden adgang til patienten")
        }
        return out
    }

    /// Whether `url` names a resource at `base` (`base/Type/id`, no `..`, query or fragment): a source may announce
    /// only its own resources, and the engine fetches nothing else in its name.
    static func lies(_ url: String, within base: String) -> Bool {
        guard url.hasPrefix(base + "/") else { return false }
        let rest = url.dropFirst(base.count + 1)
        guard !rest.isEmpty, !rest.contains("?"), !rest.contains("#"), !rest.contains("%"), !rest.contains("\\") else {
            return false
        }
        return !rest.split(separator: "/", omittingEmptySubsequences: false).contains { $0 == ".." || $0 == "." || $0.isEmpty }
    }

    /// `reference` made absolute against the source's base URL.
    static func absolute(_ reference: String, base: String) -> String {
        if reference.hasPrefix("http://") || reference.hasPrefix("https://") || reference.hasPrefix("urn:") {
            return reference
        }
        return base + "/" + reference.drop { $0 == "/" }
    }
}
