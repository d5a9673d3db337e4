/// The sections of an International Patient Summary (HL7 IPS IG 2.0), with their LOINC codes, in document order.
public enum IPSSection: String, CaseIterable, Sendable {
    case medication = "10160-0"
    case allergies = "48765-2"
    case problems = "11450-4"
    case immunizations = "11369-6"
    case results = "30954-2"
    case procedures = "47519-4"
    case vitalSigns = "8716-3"
    case pastIllness = "11348-0"

    public static let loinc = "http://loinc.org"

    /// The three a summary always has: with entries, or with the reason it has none (`ips-comp-1`).
    public var isRequired: Bool { self == .medication || self == .allergies || self == .problems }

    /// The LOINC display, as the IG names it.
    public var display: String {
        switch self {
        case .medication: return "History of Medication use Narrative"
        case .allergies: return "Allergies and adverse reactions Document"
        case .problems: return "Problem list - Reported"
        case .immunizations: return "History of Immunization Narrative"
        case .results: return "Relevant diagnostic tests/laboratory data Narrative"
        case .procedures: return "History of Procedures Document"
        case .vitalSigns: return "Vital signs"
        case .pastIllness: return "History of Past illness Narrative"
        }
    }

    /// Its title's message id (`summary.section.*` in `Assets/strings`).
    var titleID: String {
        switch self {
        case .medication: return "summary.section.medication"
        case .allergies: return "summary.section.allergies"
        case .problems: return "summary.section.problems"
        case .immunizations: return "summary.section.immunizations"
        case .results: return "summary.section.results"
        case .procedures: return "summary.section.procedures"
        case .vitalSigns: return "summary.section.vital-signs"
        case .pastIllness: return "summary.section.past-illness"
        }
    }
}
