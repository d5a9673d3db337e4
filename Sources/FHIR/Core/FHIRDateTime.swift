import Foundation

/// A FHIR `date`, `dateTime` or `instant`, at the precision it was given: `2024`, `2024-03`, `2024-03-05`,
/// `2024-03-05T14:30:00+01:00`, `2024-03-05T14:30:00.123Z`. Keeps the original text so it round-trips exactly.
///
/// Values without a time zone (dates, and lenient date-times missing the offset) are read in Danish time
/// (Europe/Copenhagen), the time zone of every source this product talks to.
public struct FHIRDateTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public enum Precision: Int, Sendable, Comparable {
        case year, month, day, minute, second, fraction

        public static func < (lhs: Precision, rhs: Precision) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public let text: String
    public let precision: Precision
    /// The first instant this value covers.
    public let lowerBound: Date
    /// The first instant after this value (exclusive): `2024-03` covers [2024-03-01, 2024-04-01).
    public let upperBound: Date
    /// The offset given in the text, in seconds east of UTC; nil when none was given.
    public let timeZoneOffset: Int?

    public static let danishTimeZone = TimeZone(identifier: "Europe/Copenhagen") ?? TimeZone(secondsFromGMT: 3600)!

    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let text: String
        public let reason: String
        public var description: String { "'\(text)' is not a FHIR date or dateTime: \(reason)" }
    }

    public init(_ text: String) throws {
        // Dates come as digits and punctuation; only text with something else at either end needs trimming.
        let utf8 = text.utf8
        let plain = utf8.first.map { $0 >= 0x2B && $0 < 0x7F } == true && utf8.last.map { $0 >= 0x2B && $0 < 0x7F } == true
        let trimmed = plain ? text : String(text.trimmingSpaces)
        let bytes = Array(trimmed.utf8)
        var index = 0

        func digits(_ count: Int, _ what: String) throws -> Int {
            guard index + count <= bytes.count else { throw ParseError(text: text, reason: "\(what) is missing") }
            var value = 0
            for offset in 0..<count {
                let byte = bytes[index + offset]
                guard byte >= 48, byte <= 57 else { throw ParseError(text: text, reason: "\(what) must be digits") }
                value = value * 10 + Int(byte - 48)
            }
            index += count
            return value
        }
        func expect(_ char: UInt8, _ what: String) throws {
            guard index < bytes.count, bytes[index] == char else {
                throw ParseError(text: text, reason: "expected '\(Character(UnicodeScalar(char)))' \(what)")
            }
            index += 1
        }

        let year = try digits(4, "year")
        var month = 1
        var day = 1
        var hour = 0
        var minute = 0
        var second = 0
        var nanos = 0
        var precision = Precision.year
        var offset: Int?
        if index < bytes.count {
            try expect(UInt8(ascii: "-"), "after the year")
            month = try digits(2, "month")
            precision = .month
            guard (1...12).contains(month) else { throw ParseError(text: text, reason: "month \(month) out of range") }
        }
        if index < bytes.count {
            try expect(UInt8(ascii: "-"), "after the month")
            day = try digits(2, "day")
            precision = .day
        }
        if index < bytes.count {
            try expect(UInt8(ascii: "T"), "between date and time")
            hour = try digits(2, "hour")
            try expect(UInt8(ascii: ":"), "after the hour")
            minute = try digits(2, "minute")
            precision = .minute
            if index < bytes.count, bytes[index] == UInt8(ascii: ":") {
                index += 1
                second = try digits(2, "second")
                precision = .second
                if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                    index += 1
                    var scale = 100_000_000
                    var count = 0
                    while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                        nanos += Int(bytes[index] - 48) * scale
                        scale /= 10
                        index += 1
                        count += 1
                        if scale == 0 { scale = 0 }
                    }
                    guard count > 0 else { throw ParseError(text: text, reason: "fraction of a second is empty") }
                    precision = .fraction
                }
            }
            guard hour <= 24, minute <= 59, second <= 60 else { throw ParseError(text: text, reason: "time out of range") }
            if index < bytes.count {
                if bytes[index] == UInt8(ascii: "Z") {
                    index += 1
                    offset = 0
                } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                    let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                    index += 1
                    let offsetHours = try digits(2, "zone hours")
                    try expect(UInt8(ascii: ":"), "in the zone offset")
                    let offsetMinutes = try digits(2, "zone minutes")
                    guard offsetHours <= 14, offsetMinutes <= 59 else {
                        throw ParseError(text: text, reason: "zone offset out of range")
                    }
                    offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
                }
            }
        }
        guard index == bytes.count else { throw ParseError(text: text, reason: "unexpected text at position \(index + 1)") }

        guard day >= 1, day <= Self.daysInMonth(year: year, month: month) else {
            throw ParseError(text: text, reason: "no such day")
        }
        // Seconds since 1970 of the local wall-clock time, then the zone: the given offset, else Danish time.
        let localSeconds =
            Double(Self.daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second)
            + Double(nanos) / 1e9
        let zoneOffset = offset ?? Self.danishOffset(forLocalSeconds: localSeconds)
        let start = Date(timeIntervalSince1970: localSeconds - Double(zoneOffset))
        let upper: Date
        switch precision {
        case .year:
            let local = Double(Self.daysSinceEpoch(year: year + 1, month: 1, day: 1) * 86_400)
            upper = Date(timeIntervalSince1970: local - Double(Self.danishOffset(forLocalSeconds: local)))
        case .month:
            let (nextYear, nextMonth) = month == 12 ? (year + 1, 1) : (year, month + 1)
            let local = Double(Self.daysSinceEpoch(year: nextYear, month: nextMonth, day: 1) * 86_400)
            upper = Date(timeIntervalSince1970: local - Double(Self.danishOffset(forLocalSeconds: local)))
        case .day:
            let local = localSeconds + 86_400
            upper = Date(timeIntervalSince1970: local - Double(offset ?? Self.danishOffset(forLocalSeconds: local)))
        case .minute: upper = start.addingTimeInterval(60)
        case .second: upper = start.addingTimeInterval(1)
        case .fraction: upper = start.addingTimeInterval(0.001)
        }
        self.text = trimmed
        self.precision = precision
        self.lowerBound = start
        self.upperBound = upper
        self.timeZoneOffset = offset
    }

    /// A date-time at second precision in Danish time, e.g. for timestamps this product creates.
    public init(date: Date, precision: Precision = .second, timeZone: TimeZone = FHIRDateTime.danishTimeZone) {
        var c = CivilTime(date, timeZone: timeZone)
        // FHIR writes offsets in whole minutes. A zone's offset with seconds (local mean time, before 1894 in
        // Denmark: +00:53:28 here) would be cut to the minute and read back as another moment; the offset is rounded
        // up to the minute instead and the clock time moved with it, which is the same moment (and never an earlier
        // year than the local one).
        if c.offsetSeconds % 60 != 0 {
            let rounded = c.offsetSeconds >= 0 ? (c.offsetSeconds + 59) / 60 * 60 : -(-c.offsetSeconds / 60 * 60)
            c = CivilTime(date, timeZone: TimeZone(secondsFromGMT: rounded) ?? timeZone)
        }
        let two = CivilTime.two
        var text = CivilTime.four(c.year)
        if precision >= .month { text += "-" + two(c.month) }
        if precision >= .day { text += "-" + two(c.day) }
        if precision >= .minute {
            text += "T" + two(c.hour) + ":" + two(c.minute) + ":" + two(c.second)
            if precision == .fraction {
                let milliseconds = c.nanosecond / 1_000_000
                text += "." + (milliseconds < 10 ? "00" : milliseconds < 100 ? "0" : "") + "\(milliseconds)"
            }
            let seconds = c.offsetSeconds
            if seconds == 0 {
                text += "Z"
            } else {
                let sign = seconds < 0 ? "-" : "+"
                text += sign + two(abs(seconds) / 3600) + ":" + two(abs(seconds) % 3600 / 60)
            }
        }
        // The text is well-formed by construction.
        self = (try? FHIRDateTime(text)) ?? FHIRDateTime(unchecked: text, date: date, precision: precision)
    }

    private init(unchecked text: String, date: Date, precision: Precision) {
        self.text = text
        self.precision = precision
        self.lowerBound = date
        self.upperBound = date
        self.timeZoneOffset = nil
    }

    /// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The offset of Danish time at a local wall-clock time (given as seconds since 1970 as if it were UTC).
    static func danishOffset(forLocalSeconds local: Double) -> Int {
        let guess = danishTimeZone.secondsFromGMT(for: Date(timeIntervalSince1970: local - 3600))
        return danishTimeZone.secondsFromGMT(for: Date(timeIntervalSince1970: local - Double(guess)))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(text)
        } catch let error as ParseError {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    public var description: String { text }

    /// Just the date part (`YYYY-MM-DD`, or less if less precise), in the value's own time zone.
    public var datePart: String { String(text.prefix(10)) }

    public static func < (lhs: FHIRDateTime, rhs: FHIRDateTime) -> Bool {
        if lhs.lowerBound != rhs.lowerBound { return lhs.lowerBound < rhs.lowerBound }
        return lhs.precision < rhs.precision
    }

    public static func == (lhs: FHIRDateTime, rhs: FHIRDateTime) -> Bool {
        lhs.text == rhs.text
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(text)
    }
}
