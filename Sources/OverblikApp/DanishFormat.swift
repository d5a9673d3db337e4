import FHIR
import Federation
import Foundation

/// Dates the way Danish clinicians write them, in both languages of the UI (a Danish record's dates read the same
/// to an English-speaking colleague).
public enum DanishFormat {
    /// `11.05.2019`, or `11.05.2019 21:40` when the value has a time, in Danish time.
    public static func date(_ value: FHIRDateTime) -> String {
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
}
