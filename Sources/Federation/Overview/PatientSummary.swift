import FHIR
import Foundation

/// The patient as the header shows them, from the source with the fullest record.
public struct PatientSummary: Codable, Sendable, Hashable {
    /// Nil when no source has a name for the patient (the edge says "unknown name").
    public let name: String?
    public let birthDate: FHIRDateTime?
    public let gender: String?
    public let address: String?
    public let municipalityCode: String?
    public let municipalityName: String?
    public let phone: String?
    public let generalPractitioner: String?
    /// The source the demographics came from.
    public let sourceID: String

    /// Age in whole years at `date`.
    public func age(at date: Date) -> Int? {
        guard let birthDate, birthDate.precision >= .day else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = FHIRDateTime.danishTimeZone
        return calendar.dateComponents([.year], from: birthDate.lowerBound, to: date).year
    }
}
