import Foundation
import Synchronization

/// A moment as a wall clock shows it in a time zone: year to nanosecond and the zone's offset. Worked out with
/// integer arithmetic (the civil-from-days algorithm) and the zone's offset, which for Danish time is looked up once
/// per hour: Calendar's `dateComponents` goes through ICU and costs microseconds, and notifications and screens ask
/// for clock times hundreds of times a second.
public struct CivilTime: Sendable, Equatable {
    public let year: Int
    public let month: Int
    public let day: Int
    public let hour: Int
    public let minute: Int
    public let second: Int
    public let nanosecond: Int
    /// Seconds east of UTC in effect at that moment.
    public let offsetSeconds: Int

    public init(_ date: Date, timeZone: TimeZone = FHIRDateTime.danishTimeZone) {
        let interval = date.timeIntervalSince1970
        let whole = interval.rounded(.down)
        let offset = Self.offset(at: whole, in: timeZone)
        let local = Int64(whole) + Int64(offset)
        var days = local / 86_400
        var seconds = local % 86_400
        if seconds < 0 {
            seconds += 86_400
            days -= 1
        }
        // Civil date from days since 1970-01-01 (proleptic Gregorian), as in `FHIRDateTime.daysSinceEpoch`.
        let z = Int(days) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        self.month = month
        self.day = day
        self.hour = Int(seconds / 3600)
        self.minute = Int(seconds % 3600 / 60)
        self.second = Int(seconds % 60)
        self.nanosecond = min(999_999_999, max(0, Int(((interval - whole) * 1e9).rounded(.down))))
        self.offsetSeconds = offset
    }

    /// `14:32`.
    public var clock: String { Self.two(hour) + ":" + Self.two(minute) }

    /// Zero-padded to two digits.
    public static func two(_ value: Int) -> String { value < 10 && value >= 0 ? "0\(value)" : "\(value)" }

    /// Zero-padded to four digits (years).
    public static func four(_ value: Int) -> String {
        guard value >= 0, value < 1000 else { return "\(value)" }
        return (value < 10 ? "000" : value < 100 ? "00" : "0") + "\(value)"
    }

    /// Danish time changes offset only on whole UTC hours (01:00 UTC), so one lookup per hour is exact; other zones
    /// are asked every time.
    private static func offset(at seconds: Double, in timeZone: TimeZone) -> Int {
        guard timeZone.identifier == FHIRDateTime.danishTimeZone.identifier else {
            return timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: seconds))
        }
        let hour = Int64((seconds / 3600).rounded(.down))
        if let known = danishOffsets.withLock({ $0[hour] }) { return known }
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(hour) * 3600))
        danishOffsets.withLock { cache in
            if cache.count >= 4096 { cache.removeAll(keepingCapacity: true) }
            cache[hour] = offset
        }
        return offset
    }

    private static let danishOffsets = Mutex<[Int64: Int]>([:])
}
