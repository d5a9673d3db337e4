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

    /// Elements holding free text a clinician reads, whose written dates (`17.02.2024`) move with the rest.
    static let freeTextKeys: Set<String> = ["text", "div", "comment", "description", "contentString", "valueString"]

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
            // A plain-text attachment (a discharge letter) is text too: its dates move with the structured ones.
            if case .string(let type)? = members["contentType"], type.lowercased().hasPrefix("text/"),
                case .string(let encoded)? = members["data"], let data = Data(base64Encoded: encoded),
                let text = String(data: data, encoding: .utf8)
            {
                result["data"] = .string(Data(shiftWrittenDates(text).utf8).base64EncodedString())
            }
            return .object(result)
        case .array(let values):
            return .array(values.map { shift($0, key: key) })
        case .string(let text):
            guard let key else { return value }
            if Self.shiftedKeys.contains(key) { return .string(shiftText(text)) }
            if Self.freeTextKeys.contains(key) { return .string(shiftWrittenDates(text)) }
            return value
        default:
            return value
        }
    }

    /// Dates as Danes write them in text (`17.02.2024`, `7.2.2024`) moved by the shift, in the same form; a date
    /// right after "født" (a birth date) stays, as birth dates do everywhere.
    public func shiftWrittenDates(_ text: String) -> String {
        guard days != 0, text.contains(".") else { return text }
        let pattern = /([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})(?![0-9])/
        var result = ""
        var rest = text[...]
        while let match = rest.firstMatch(of: pattern) {
            let before = rest[..<match.range.lowerBound]
            result += before
            let original = String(rest[match.range])
            let born = (result.suffix(8).lowercased()).contains("født")
            // Part of a longer number ("1.2.3.2024", "112.05.2024") is no date.
            let glued = before.last.map { $0.isNumber || $0 == "." } ?? (result.last.map { $0.isNumber || $0 == "." } ?? false)
            if !born, !glued, let day = Int(match.output.1), let month = Int(match.output.2), let year = Int(match.output.3),
                (1...31).contains(day), (1...12).contains(month)
            {
                let iso = String(format: "%04d-%02d-%02d", year, month, day)
                let moved = shiftText(iso)
                let parts = moved.split(separator: "-")
                if parts.count == 3, moved != iso {
                    let padded = match.output.1.count == 2
                    let d = padded ? String(parts[2]) : String(Int(parts[2]) ?? day)
                    let m = match.output.2.count == 2 ? String(parts[1]) : String(Int(parts[1]) ?? month)
                    result += "\(d).\(m).\(parts[0])"
                } else {
                    result += original
                }
            } else {
                result += original
            }
            rest = rest[match.range.upperBound...]
        }
        return result + rest
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
        var rest = String(decoding: utf8[10...], as: UTF8.self)
        // A Danish wall-clock time keeps its hour, and gets the offset Danish time has on the new day (a shift
        // across summer time would otherwise move it an hour, and past midnight onto another day).
        if rest.count == 15, rest.hasPrefix("T"), let sign = rest.dropFirst(9).first, sign == "+" || sign == "-",
            let hour = Int(rest.dropFirst(1).prefix(2)), let minute = Int(rest.dropFirst(4).prefix(2)),
            let offsetHours = Int(rest.dropFirst(10).prefix(2)), let offsetMinutes = Int(rest.dropFirst(13).prefix(2))
        {
            let offset = (sign == "+" ? 1 : -1) * (offsetHours * 3600 + offsetMinutes * 60)
            let danish = FHIRDateTime.danishTimeZone
            let wasDanish =
                calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))
                .map { danish.secondsFromGMT(for: $0.addingTimeInterval(TimeInterval(-offset))) == offset } ?? false
            var local = Calendar(identifier: .gregorian)
            local.timeZone = danish
            if wasDanish,
                let instant = local.date(
                    from: DateComponents(year: c.year, month: c.month, day: c.day, hour: hour, minute: minute))
            {
                let seconds = danish.secondsFromGMT(for: instant)
                let newOffset = String(
                    format: "%@%02d:%02d", seconds < 0 ? "-" : "+", abs(seconds) / 3600, abs(seconds) % 3600 / 60)
                rest = String(rest.prefix(9)) + newOffset
            }
        }
        return prefix + rest
    }
}
