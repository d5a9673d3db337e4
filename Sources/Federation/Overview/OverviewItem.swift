import FHIR
import Foundation
import Words

/// One line of the overview: a diagnosis, a contact, an appointment, a note, a drug, a result, a letter, an allergy.
/// All text in it has been through the sanitizer.
public struct OverviewItem: Codable, Sendable, Hashable, Identifiable {
    /// Stable across fetches: the first source's `sourceID/Type/id`.
    public let id: String
    public let section: SectionKind
    public let resourceType: String
    /// When it happened (onset, start, sent, effective, ...).
    public let date: FHIRDateTime?
    /// What it is: mostly the source's own text (`Phrase.verbatim`), a phrase where it is made of codes or missing.
    public let title: Phrase
    /// A short second line (status, dose, value, department).
    public let detail: Phrase?
    /// The status as a phrase (`status.condition.active`, ...; an unknown code as sent).
    public let status: Phrase?
    /// The FHIR status code behind `status` (`resolved`), for decisions that must not depend on words.
    public let statusCode: String?
    /// The code that identifies what it is (`system|code`), used for merging and trends.
    public let code: String?
    /// The whole text where there is more to read (letters, notes).
    public let text: String?
    /// Something a clinician must notice (an abnormal result, a high-criticality allergy, an ongoing admission),
    /// said in words so it never depends on colour.
    public let flag: Phrase?
    /// Every source that holds this item (more than one when sources agree).
    public var sources: [ItemSource]

    public init(
        id: String, section: SectionKind, resourceType: String, date: FHIRDateTime?, title: Phrase, detail: Phrase? = nil,
        status: Phrase? = nil, statusCode: String? = nil, code: String? = nil, text: String? = nil, flag: Phrase? = nil,
        sources: [ItemSource]
    ) {
        self.id = id
        self.section = section
        self.resourceType = resourceType
        self.date = date
        self.title = title
        self.detail = detail
        self.status = status
        self.statusCode = statusCode
        self.code = code
        self.text = text
        self.flag = flag
        self.sources = sources
    }
}
