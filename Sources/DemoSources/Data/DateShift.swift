import FHIR
import Foundation

/// Moves the clinical dates of the demo data by whole days so that the data's "today" (the manifest's anchor date)
/// is the real today: appointments stay in the future, the patients at the ED arrived hours ago. Birth dates are
/// never moved (ages and CPR numbers must agree), nor are year- or month-precision values.
public struct DateShift: Sendable {
    public let days: Int

    public static let none = DateShift(days: 0)

    /// Elements holding a date or dateTime that describe when something happened.
    static let shiftedKeys: Set<String> = [
        "start", "end", "effectiveDateTime", "effectiveInstant", "issued", "onsetDateTime", "abatementDateTime",
        "recordedDate", "date", "sent", "received", "created", "dateAsserted", "lastUpdated", "creation",
        "authoredOn", "dateTime", "recorded", "occurrenceDateTime", "timestamp",
    ]

    public init(days: Int) {
        self.days = days
    }

    /// The shift that makes `anchor` (YYYY-MM-DD) today in Danish time.
    public static func toToday(from anchor: String, now: Date = Date()) -> DateShift {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = FHIRDateTime.danishTimeZone
        guard let anchorDate = try? FHIRDateTime(anchor), anchorDate.precision == .day else { return .none }
        let today = calendar.startOfDay(for: now)
        let days = calendar.dateComponents([.day], from: anchorDate.lowerBound, to: today).day ?? 0
        return DateShift(days: days)
    }

    public func apply(to value: JSONValue) -> JSONValue {
        guard days != 0 else { return value }
        return shift(value, key: nil)
    }

    private func shift(_ value: JSONValue, key: String?) -> JSONValue {
        switch value {
        case .object(let members):
            var result: JSONObject = [:]
            result.reserveCapacity(members.count)
            for (memberKey, member) in members {
                result[memberKey] = shift(member, key: memberKey)
            }
            return .object(result)
        case .array(let values):
            return .array(values.map { shift($0, key: key) })
        case .string(let text):
            guard let key, Self.shiftedKeys.contains(key) else { return value }
            return .string(shiftText(text))
        default:
            return value
        }
    }

    /// Shifts the `YYYY-MM-DD` prefix of a date or dateTime text, keeping the rest as it was.
    func shiftText(_ text: String) -> String {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 10, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"),
            let year = Int(String(decoding: utf8[0..<4], as: UTF8.self)),
            let month = Int(String(decoding: utf8[5..<7], as: UTF8.self)),
            let day = Int(String(decoding: utf8[8..<10], as: UTF8.self))
        else { return text }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
            let moved = calendar.date(byAdding: .day, value: days, to: date)
        else { return text }
        let c = calendar.dateComponents([.year, .month, .day], from: moved)
        let prefix = String(format: "%04d-%02d-%02d", c.year ?? year, c.month ?? month, c.day ?? day)
        return prefix + String(decoding: utf8[10...], as: UTF8.self)
    }
}
