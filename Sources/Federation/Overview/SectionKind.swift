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

    public var danishTitle: String {
        switch self {
        case .conditions: return "Sygehistorik"
        case .encounters: return "Hospitalskontakter"
        case .appointments: return "Aftaler"
        case .homeCare: return "Hjemmepleje"
        case .medication: return "Medicin"
        case .labs: return "Laboratoriesvar"
        case .documents: return "Epikriser/dokumenter"
        case .allergies: return "Allergier"
        }
    }

    public var englishTitle: String {
        switch self {
        case .conditions: return "History"
        case .encounters: return "Hospital contacts"
        case .appointments: return "Appointments"
        case .homeCare: return "Home care"
        case .medication: return "Medication"
        case .labs: return "Lab results"
        case .documents: return "Discharge letters/documents"
        case .allergies: return "Allergies"
        }
    }

    /// The resource types whose items land in this section.
    public var resourceTypes: [String] {
        switch self {
        case .conditions: return ["Condition"]
        case .encounters: return ["Encounter"]
        case .appointments: return ["Appointment"]
        case .homeCare: return ["Communication", "CarePlan"]
        case .medication: return ["MedicationStatement"]
        case .labs: return ["Observation"]
        case .documents: return ["DocumentReference"]
        case .allergies: return ["AllergyIntolerance"]
        }
    }

    /// Every clinical resource type the overview searches for.
    public static let searchedTypes = [
        "Condition", "Encounter", "Appointment", "Communication", "CarePlan", "MedicationStatement", "Observation",
        "DocumentReference", "AllergyIntolerance",
    ]
}
