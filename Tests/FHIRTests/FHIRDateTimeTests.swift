import FHIR
import Foundation
import Testing

@Suite struct FHIRDateTimeTests {
    @Test(arguments: [
        ("2024", FHIRDateTime.Precision.year),
        ("2024-03", .month),
        ("2024-03-05", .day),
        ("2024-03-05T14:30:00+01:00", .second),
        ("2024-03-05T14:30:00Z", .second),
        ("2024-03-05T14:30:00.123Z", .fraction),
        ("2024-03-05T14:30+01:00", .minute),
    ])
    func parsesEveryPrecision(text: String, precision: FHIRDateTime.Precision) throws {
        let value = try FHIRDateTime(text)
        #expect(value.precision == precision)
        #expect(value.text == text)
        #expect(value.lowerBound < value.upperBound)
    }

    @Test func boundsCoverThePrecision() throws {
        let month = try FHIRDateTime("2024-02")
        let firstOfMarch = try FHIRDateTime("2024-03-01")
        #expect(month.upperBound == firstOfMarch.lowerBound)
        let day = try FHIRDateTime("2024-02-29")
        #expect(day.upperBound.timeIntervalSince(day.lowerBound) == 86_400)
    }

    @Test func datesWithoutZoneAreDanishTimeIncludingSummerTime() throws {
        let winter = try FHIRDateTime("2024-01-15")
        let summer = try FHIRDateTime("2024-07-15")
        #expect(winter.lowerBound == (try FHIRDateTime("2024-01-15T00:00:00+01:00")).lowerBound)
        #expect(summer.lowerBound == (try FHIRDateTime("2024-07-15T00:00:00+02:00")).lowerBound)
    }

    @Test(arguments: [
        "", "24", "2024-13", "2023-02-29", "2024-03-05T25:00:00Z", "2024-03-05 14:30", "i går", "2024-03-05T14:30:00+1",
    ])
    func rejectsWhatIsNotADate(text: String) {
        #expect(throws: FHIRDateTime.ParseError.self) { try FHIRDateTime(text) }
    }

    @Test func ordersByTime() throws {
        let values = try ["2024-03-05T14:30:00+01:00", "2023", "2024-03-05T13:29:00Z"].map(FHIRDateTime.init)
        // 14:30+01:00 is 13:30Z, a minute after 13:29Z.
        #expect(values.sorted().map(\.text) == ["2023", "2024-03-05T13:29:00Z", "2024-03-05T14:30:00+01:00"])
    }

    @Test func formatsDatesInDanishTime() throws {
        let instant = try FHIRDateTime("2024-07-01T10:00:00Z").lowerBound
        #expect(FHIRDateTime(date: instant).text == "2024-07-01T12:00:00+02:00")
        #expect(FHIRDateTime(date: instant, precision: .day).text == "2024-07-01")
    }
}
