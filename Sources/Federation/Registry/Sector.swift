/// Which part of the health service a source belongs to.
public enum Sector: String, Codable, Sendable, CaseIterable {
    case hospital, gp, municipality, other

    public var danishName: String {
        switch self {
        case .hospital: return "hospital"
        case .gp: return "almen praksis"
        case .municipality: return "kommune"
        case .other: return "anden"
        }
    }
}
