/// The sections of a patient overview, in display order.
public enum SectionKind: String, Codable, Sendable, CaseIterable {
    case conditions
    case encounters
    case appointments
    case homeCare = "home-care"
    case medication
    case labs
    case documents
    case allergies
    /// From the vaccination register (DDV).
    case vaccinations

    /// The resource types whose items land in this section.
    public var resourceTypes: [String] {
        switch self {
        case .conditions: return ["Condition"]
        case .encounters: return ["Encounter"]
        case .appointments: return ["Appointment"]
        case .homeCare: return ["Communication", "CarePlan"]
        case .medication: return ["MedicationRequest", "MedicationStatement"]
        case .labs: return ["Observation"]
        case .documents: return ["DocumentReference"]
        case .allergies: return ["AllergyIntolerance"]
        case .vaccinations: return ["Immunization"]
        }
    }

    /// Every clinical resource type the overview searches for.
    public static let searchedTypes = [
        "Condition", "Encounter", "Appointment", "Communication", "CarePlan", "MedicationRequest", "MedicationStatement",
        "Observation", "DocumentReference", "AllergyIntolerance", "Immunization",
    ]
}
