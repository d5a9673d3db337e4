import FHIR
import Foundation
import Testing

/// `CivilTime` must give the wall clock Calendar gives, in Danish time across both daylight-saving changes and in
/// other zones, since every clock time on screen and every timestamp the engine writes comes from it.
@Suite struct CivilTimeTests {
    static func calendarParts(_ date: Date, _ zone: TimeZone) -> [Int] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return [c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!, zone.secondsFromGMT(for: date)]
    }

    static func parts(_ c: CivilTime) -> [Int] { [c.year, c.month, c.day, c.hour, c.minute, c.second, c.offsetSeconds] }

    @Test func danishTimeAroundTheDaylightSavingChanges() throws {
        // 2026-03-29 01:00 UTC clocks go 02:00 → 03:00; 2026-10-25 01:00 UTC they go 03:00 → 02:00.
        for change in [1_774_746_000.0, 1_792_890_000.0] {
            for step in stride(from: -7200.0, through: 7200.0, by: 599.5) {
                let date = Date(timeIntervalSince1970: change + step)
                #expect(Self.parts(CivilTime(date)) == Self.calendarParts(date, FHIRDateTime.danishTimeZone), "\(date)")
            }
        }
        #expect(CivilTime(Date(timeIntervalSince1970: 1_774_746_000 - 1)).clock == "01:59")
        #expect(CivilTime(Date(timeIntervalSince1970: 1_774_746_000)).clock == "03:00")
        #expect(CivilTime(Date(timeIntervalSince1970: 1_792_890_000 - 1)).clock == "02:59")
        #expect(CivilTime(Date(timeIntervalSince1970: 1_792_890_000)).clock == "02:00")
    }

    @Test func manyDatesAndZonesAgreeWithCalendar() throws {
        var generator = SystemRandomNumberGenerator()
        let zones = [
            FHIRDateTime.danishTimeZone, TimeZone(identifier: "UTC")!, TimeZone(identifier: "Asia/Kolkata")!,
            TimeZone(identifier: "America/St_Johns")!, TimeZone(secondsFromGMT: -3600)!,
        ]
        for _ in 0..<2000 {
            // 1900 to 2100, before and after 1970.
            let date = Date(timeIntervalSince1970: Double.random(in: -2_208_988_800...4_102_444_800, using: &generator))
            for zone in zones {
                #expect(Self.parts(CivilTime(date, timeZone: zone)) == Self.calendarParts(date, zone), "\(date) \(zone)")
            }
        }
    }

    @Test func fractionsAndPadding() throws {
        let date = Date(timeIntervalSince1970: 1_790_000_000.0421)
        let civil = CivilTime(date)
        #expect(civil.nanosecond / 1_000_000 == 42)
        #expect(FHIRDateTime(date: date, precision: .fraction).text == "2026-09-21T16:13:20.042+02:00")
        #expect(
            FHIRDateTime(date: Date(timeIntervalSince1970: 1_767_225_600), precision: .second).text == "2026-01-01T01:00:00+01:00"
        )
        #expect(CivilTime.four(7) == "0007" && CivilTime.four(987) == "0987" && CivilTime.four(2026) == "2026")
        #expect(CivilTime.two(3) == "03" && CivilTime.two(12) == "12")
    }
}
