import FHIR

/// A patient found by name, with the sources that know them.
public struct PatientMatch: Sendable, Hashable {
    public let cpr: CPRNumber
    public let name: String
    public let birthDate: FHIRDateTime?
    public var sources: [String]

    public init(cpr: CPRNumber, name: String, birthDate: FHIRDateTime?, sources: [String]) {
        self.cpr = cpr
        self.name = name
        self.birthDate = birthDate
        self.sources = sources
    }
}
