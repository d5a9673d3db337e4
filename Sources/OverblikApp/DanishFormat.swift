import FHIR
import Federation
import Foundation

/// Dates, ages and durations the way Danish clinicians write them.
public enum DanishFormat {
    /// `11.05.2019`, or `11.05.2019 21:40` when the value has a time, in Danish time.
    public static func date(_ value: FHIRDateTime?) -> String {
        guard let value else { return "ukendt dato" }
        switch value.precision {
        case .year: return value.text
        case .month: return String(value.text.dropFirst(5).prefix(2)) + "." + value.text.prefix(4)
        case .day:
            let parts = value.text.split(separator: "-")
            return parts.count == 3 ? "\(parts[2]).\(parts[1]).\(parts[0])" : value.text
        default:
            let c = CivilTime(value.lowerBound)
            return "\(CivilTime.two(c.day)).\(CivilTime.two(c.month)).\(CivilTime.four(c.year)) \(c.clock)"
        }
    }

    /// "12 sekunder", "3 minutter", "2 timer", "4 dage".
    public static func duration(_ seconds: TimeInterval) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return s == 1 ? "1 sekund" : "\(s) sekunder" }
        if s < 3600 { return s / 60 == 1 ? "1 minut" : "\(s / 60) minutter" }
        if s < 86_400 { return s / 3600 == 1 ? "1 time" : "\(s / 3600) timer" }
        return s / 86_400 == 1 ? "1 dag" : "\(s / 86_400) dage"
    }

    public static func gender(_ code: String?) -> String? {
        switch code {
        case "male": return "mand"
        case "female": return "kvinde"
        case "other": return "andet"
        case nil: return nil
        default: return "ukendt køn"
        }
    }

    /// A source's status in one sentence: "ok, hentet for 2 sekunder siden", "fra cache, 3 minutter gammel", ...
    public static func status(_ status: SourceStatus, now: Date) -> String {
        let age = status.age(at: now).map(duration)
        switch status.state {
        case .ok: return "ok, hentet" + (age.map { " for \($0) siden" } ?? "")
        case .cached: return "fra cache, " + (age.map { "\($0) gammel" } ?? "alder ukendt")
        case .stale:
            return "FORÆLDET, " + (age.map { "\($0) gammel" } ?? "alder ukendt") + ": kilden " + (status.message ?? "fejlede")
        case .timedOut: return "svarer ikke: " + (status.message ?? "tidsgrænsen blev nået")
        case .error: return "FEJL: kilden " + (status.message ?? "fejlede")
        case .notFound: return "patienten er ikke kendt her (ikke fundet)"
        case .loading: return "henter…"
        case .denied: return "ADGANG NÆGTET: " + (status.message ?? "ingen aktuel behandlingsrelation")
        case .withheld: return "TILBAGEHOLDT: " + (status.message ?? "Data tilbageholdt efter patientens ønske")
        }
    }
}
