import Foundation

/// A Danish CPR number: ten digits, DDMMYY and a four-digit serial whose first digit fixes the century.
/// Accepts `2509479989` and `250947-9989`. The modulus-11 check is not required (numbers issued since 2007 may
/// fail it, and national test numbers fail it on purpose), so `isTestNumber` only reports it.
public struct CPRNumber: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The ten digits.
    public let value: String

    public enum ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
        case wrongLength(String)
        case notDigits(String)
        case noSuchDate(String)

        public var description: String {
            switch self {
            case .wrongLength(let text): return "CPR-nummeret '\(text)' skal have 10 cifre (DDMMÅÅ-LLLL)"
            case .notDigits(let text): return "CPR-nummeret '\(text)' må kun indeholde cifre og evt. én bindestreg"
            case .noSuchDate(let text): return "CPR-nummeret '\(text)' begynder ikke med en gyldig dato (DDMMÅÅ)"
            }
        }
    }

    public init(_ text: String) throws {
        // By UTF-8 bytes: only ASCII digits and one ASCII dash can be part of a CPR number, and every event carries
        // one (Character by Character this showed in the event path).
        var digits = Array(text.trimmingSpaces.utf8)
        if digits.count == 11, digits[6] == UInt8(ascii: "-") { digits.remove(at: 6) }
        guard digits.allSatisfy({ (0x30...0x39).contains($0) }) else { throw ValidationError.notDigits(text) }
        guard digits.count == 10 else { throw ValidationError.wrongLength(text) }
        self.value = String(decoding: digits, as: UTF8.self)
        guard birthDateComponents != nil else { throw ValidationError.noSuchDate(text) }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: String(describing: error))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    /// `DDMMYY-SSSS`.
    public var formatted: String {
        "\(value.prefix(6))-\(value.suffix(4))"
    }

    public var description: String { formatted }

    private func digit(_ index: Int) -> Int {
        Int(value.utf8[value.utf8.index(value.utf8.startIndex, offsetBy: index)] - 48)
    }

    /// Year, month, day of birth, using the century rule of the seventh digit.
    public var birthDateComponents: (year: Int, month: Int, day: Int)? {
        let day = digit(0) * 10 + digit(1)
        let month = digit(2) * 10 + digit(3)
        let yy = digit(4) * 10 + digit(5)
        let seventh = digit(6)
        let century: Int
        switch seventh {
        case 0...3: century = 1900
        case 4, 9: century = yy <= 36 ? 2000 : 1900
        default: century = yy <= 57 ? 2000 : 1800  // 5-8
        }
        let year = century + yy
        guard (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day) else { return nil }
        return (year, month, day)
    }

    /// Days in a month of the Gregorian calendar (no Calendar object: this runs for every CPR number parsed).
    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Odd last digit: male; even: female.
    public var gender: String {
        digit(9) % 2 == 1 ? "male" : "female"
    }

    /// True when the number passes the old modulus-11 check.
    public var passesModulus11: Bool {
        let weights = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1]
        return (0..<10).reduce(0) { $0 + digit($1) * weights[$1] } % 11 == 0
    }

    /// True for numbers following the national test-CPR rules used for synthetic people: serial 99xx and a
    /// check digit that fails modulus 11.
    public var isTestNumber: Bool {
        digit(6) == 9 && digit(7) == 9 && !passesModulus11
    }
}
