import FHIR
import Foundation
import Testing

/// What the fuzz targets (`make fuzz`) found in this module, each as the clear answer it gets now. The inputs
/// themselves are kept in Tests/FuzzRegressions/ and run by FuzzRegressionTests.
@Suite struct FuzzFindingsTests {
    /// `json`: 1e348 read as infinity, which was written back as `null`. JSON has no infinity: refused.
    @Test func aNumberBeyondDoubleIsAnError() throws {
        for text in ["[1e348, 208]", "-1E400", #"{"value":1e999}"#] {
            do {
                _ = try JSONValue.parse(Data(text.utf8))
                Issue.record("accepted \(text)")
            } catch let error as JSONParseError {
                #expect(error.reason.contains("out of range"), "\(error)")
            } catch {
                Issue.record("\(error)")
            }
        }
        #expect(
            try JSONValue.parse(Data("[1.7e308, -4.9e-324]".utf8))
                == .array([.number(1.7e308), .number(-Double.leastNonzeroMagnitude)]))
    }

    /// `dateTime`: before 1894 Danish time is local mean time (an offset with seconds); a moment was written with
    /// the offset cut to the minute and read back as another second.
    @Test func aMomentInLocalMeanTimeIsWrittenAsTheSameMoment() throws {
        for text in ["1012-01-31T02:30:00", "1850-06-01T12:00:00", "1893-12-31T23:59:59", "0000", "2024-03-05T14:30:00Z"] {
            let date = try FHIRDateTime(text)
            let written = FHIRDateTime(date: date.lowerBound)
            let again = try FHIRDateTime(written.text)
            #expect(again.lowerBound == date.lowerBound, "\(text) → \(written.text)")
        }
        // Today's offsets are whole hours and written as before.
        #expect(FHIRDateTime(date: try FHIRDateTime("2024-03-05T14:30:00Z").lowerBound).text == "2024-03-05T15:30:00+01:00")
    }

    /// Found while writing the `notification` target: `Int64(1e300)` traps; an integer parameter that is not a
    /// whole number within Int64 is no integer.
    @Test func anIntegerParameterOutOfRangeIsNone() {
        func decimal(_ value: Double) -> Parameter {
            var parameter = Parameter(name: "n")
            parameter.valueDecimal = value
            return parameter
        }
        #expect(decimal(1e300).integerValue == nil)
        #expect(decimal(2.5).integerValue == nil)
        #expect(decimal(42).integerValue == 42)
    }

    /// `json`: member names that differ only in control characters ("k\u0085", "k\u0084", then "k\u0085" again) are
    /// one name once cleaned. Sanitizing while parsing kept the last in the text, sanitizing afterwards the last of
    /// the names as first settled; both now settle repeats on the text as sent and then on the cleaned names.
    @Test func namesThatCleaningMakesOneAreSettledAlike() throws {
        let text = #"{"k\u0085":"A","k\u0084":"B","k\u0085":"C","x":1}"#
        let data = Data(text.utf8)
        let afterwards = try JSONValue.parse(data).sanitized()
        let whileParsing = try data.withUnsafeBytes { try JSONValue.parseSanitized($0) }
        #expect(whileParsing == afterwards)
        guard case .object(let members) = whileParsing else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["k", "x"])
        #expect(members["k"] == .string("B"))
    }
}
