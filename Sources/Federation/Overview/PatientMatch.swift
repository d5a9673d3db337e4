import FHIR
import Words

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

/// A name search: who was found, and what the sources said they left out (for lack of access).
public struct NameSearch: Sendable {
    public var matches: [PatientMatch]
    public var notes: [Phrase]

    public init(matches: [PatientMatch], notes: [Phrase]) {
        self.matches = matches
        self.notes = notes
    }
}
