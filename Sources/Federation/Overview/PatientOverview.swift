import FHIR
import Foundation
import Words

/// Everything the sources hold on one patient, assembled on demand: demographics, sections, one timeline, trends,
/// and how each source answered.
public struct PatientOverview: Codable, Sendable {
    public let cpr: String
    public let patient: PatientSummary?
    public let sections: [Section]
    /// Every item of every section, newest first.
    public let timeline: [OverviewItem]
    public let trends: [Trend]
    public let sources: [SourceStatus]
    /// Things to see at once in the header (allergies, an ongoing admission).
    public let flags: [Phrase]
    public let assembledAt: Date

    public struct Section: Codable, Sendable {
        public let kind: SectionKind
        public let items: [OverviewItem]
    }

    public func section(_ kind: SectionKind) -> [OverviewItem] {
        sections.first { $0.kind == kind }?.items ?? []
    }

    /// True when at least one source knows the patient.
    public var isFound: Bool { patient != nil || !timeline.isEmpty }
}

extension PatientOverview {
    /// The same content with this overview's source statuses and time.
    func restamped(sources: [SourceStatus], assembledAt: Date) -> PatientOverview {
        PatientOverview(
            cpr: cpr, patient: patient, sections: sections, timeline: timeline, trends: trends, sources: sources, flags: flags,
            assembledAt: assembledAt)
    }
}

/// An overview as built from particular pages, kept for reuse (`FederatedClient.assemble`).
struct BuiltOverview: Sendable {
    struct Input: Sendable, Equatable {
        let sourceID: String
        let stamps: [UInt64]
    }

    let cpr: String
    let inputs: [Input]
    let overview: PatientOverview
    /// When the first upcoming appointment starts (its status changes then).
    let validUntil: Date
}
