import FHIR
import Foundation

extension FuzzTarget {
    /// The hand-written readers against Codable, for any resource and for a Bundle.
    static func fhirReaders(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        guard let value = try? JSONValue.parse(bytes.data) else { return }
        agree(AnyResource.self, value, &check)
        agree(Bundle.self, value, &check)
        if let fast = AnyResource.read(value) {
            let slow = try? JSONValueDecoder.decodeWithCodable(AnyResource.self, from: value, readers: false)
            check.expect(fast == slow, "AnyResource.read gives what Codable does not")
        }
    }

    /// `JSONValueDecoder.decode` (readers first) and Codable alone give the same value, or the same error.
    private static func agree<T: Decodable & Equatable>(_ type: T.Type, _ value: JSONValue, _ check: inout PropertyCheck) {
        let withReaders = Result { try JSONValueDecoder.decode(T.self, from: value) }
        let codable = Result { try JSONValueDecoder.decodeWithCodable(T.self, from: value, readers: false) }
        switch (withReaders, codable) {
        case (.success(let fast), .success(let slow)):
            check.expect(fast == slow, "\(T.self): the readers and Codable read different values")
        case (.failure(let fast), .failure(let slow)):
            check.expect(
                String(describing: fast) == String(describing: slow),
                "\(T.self): the readers and Codable fail differently: \(fast) / \(slow)")
        case (.success, .failure(let error)):
            check.fail("\(T.self): the readers read what Codable refuses (\(error))")
        case (.failure(let error), .success):
            check.fail("\(T.self): the readers refuse what Codable reads (\(error))")
        }
    }

    /// The models through Foundation's JSONDecoder and JSONEncoder, and back through `JSONValueDecoder`.
    static func fhirCodable(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        guard let resource = try? FHIRJSON.decode(AnyResource.self, from: bytes.data) else { return }
        // An unreadable entry cannot be written (by design); nothing more to check then.
        guard let encoded = try? FHIRJSON.encode(resource) else { return }
        switch Result(catching: { try FHIRJSON.decode(AnyResource.self, from: encoded) }) {
        case .success(let again):
            check.expect(again == resource, "encode → decode changed the resource")
        case .failure(let error):
            check.fail("the encoded resource does not decode: \(error)")
        }
        switch Result(catching: { try JSONValueDecoder.decode(AnyResource.self, from: JSONValue.parse(encoded)) }) {
        case .success(let again):
            check.expect(again == resource, "JSONValueDecoder reads the encoded resource differently from JSONDecoder")
        case .failure(let error):
            check.fail("JSONValueDecoder cannot read the encoded resource: \(error)")
        }
    }

    /// `FHIRDateTime`.
    static func dateTime(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        let text = bytes.text
        guard let date = try? FHIRDateTime(text) else { return }
        check.expect(date.lowerBound < date.upperBound, "'\(text)' covers an empty interval")
        switch Result(catching: { try FHIRDateTime(date.text) }) {
        case .success(let again):
            check.expect(
                again.lowerBound == date.lowerBound && again.upperBound == date.upperBound
                    && again.precision == date.precision && again.timeZoneOffset == date.timeZoneOffset,
                "'\(date.text)' parses differently the second time")
        case .failure(let error):
            check.fail("the kept text '\(date.text)' does not parse: \(error)")
        }
        // A moment this product writes (second precision, Danish time) reads back as the same second; for years
        // 1000 to 8999, so that the moment is a four-digit year in every zone (the year 0000 begins in year -1 UTC).
        guard let year = Int(date.text.prefix(4)), (1000..<9000).contains(year) else { return }
        let written = FHIRDateTime(date: date.lowerBound)
        switch Result(catching: { try FHIRDateTime(written.text) }) {
        case .success(let again):
            let delta = date.lowerBound.timeIntervalSince(again.lowerBound)
            check.expect(delta >= 0 && delta < 1, "'\(text)' written as '\(written.text)' is another second")
        case .failure(let error):
            check.fail("'\(text)' is written as '\(written.text)', which does not parse: \(error)")
        }
    }

    /// `CPRNumber`.
    static func cpr(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        let text = bytes.text
        guard let number = try? CPRNumber(text) else { return }
        check.expect(
            number.value.utf8.count == 10 && number.value.utf8.allSatisfy { (0x30...0x39).contains($0) },
            "'\(text)' gives the CPR number '\(number.value)', not ten digits")
        check.expect(number.birthDateComponents != nil, "'\(text)' parses without a birth date")
        for form in [number.value, number.formatted] {
            check.expect(
                (try? CPRNumber(form)) == number, "the CPR number \(number.value) written as '\(form)' does not parse back")
        }
        _ = (number.gender, number.passesModulus11, number.isTestNumber)
    }
}
