/// Which part of the health service a source belongs to: its data is shown with the sector's tag, and a patient's
/// block names the sectors whose data it withholds (`national`: the national services, such as the medication card
/// and the vaccination register, which a block on GP data leaves visible).
public enum Sector: String, Codable, Sendable, CaseIterable {
    case hospital, gp, municipality, national, other
}
