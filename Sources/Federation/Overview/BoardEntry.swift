import FHIR

/// A patient on the emergency department's board: who, since when, where, why.
public struct BoardEntry: Sendable, Hashable {
    public let cpr: CPRNumber
    public let name: String
    public let arrivedAt: FHIRDateTime?
    public let department: String?
    public let reason: String?
    public let sourceID: String

    public init(cpr: CPRNumber, name: String, arrivedAt: FHIRDateTime?, department: String?, reason: String?, sourceID: String) {
        self.cpr = cpr
        self.name = name
        self.arrivedAt = arrivedAt
        self.department = department
        self.reason = reason
        self.sourceID = sourceID
    }
}
