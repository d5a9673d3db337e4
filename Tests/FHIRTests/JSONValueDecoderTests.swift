import FHIR
import Foundation
import Testing

/// `JSONValueDecoder` (decoding from a parsed `JSONValue`, as the client does) must read what `JSONDecoder` reads.
@Suite struct JSONValueDecoderTests {
    static let dataDirectory: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("demo-data")
    }()

    @Test func everyDemoResourceDecodesAsWithJSONDecoder() throws {
        var count = 0
        let files = FileManager.default.enumerator(atPath: Self.dataDirectory.path)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".ndjson") {
            let text = try String(contentsOf: Self.dataDirectory.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where !line.isEmpty {
                let data = Data(line.utf8)
                let expected = try FHIRJSON.decode(AnyResource.self, from: data)
                let decoded = try JSONValueDecoder.decode(AnyResource.self, from: try JSONValue.parse(data))
                #expect(decoded == expected, "\(file): \(line.prefix(80))")
                count += 1
            }
        }
        #expect(count > 7000)
    }

    @Test func parsingSanitizedEqualsParsingThenSanitizing() throws {
        let hostile =
            Data(
                #"{"resourceType":"Communication","id":"x","payload":[{"contentString":"f\u001b[31mr\u009bød\u202e ok\r\nlinje"}],"#
                    .utf8)
            + Data(
                #""na\u0007me  x ":"a\tb","attachment":{"data":"\u001bAAAA","title":"\u001b]0;t\u0007T"},"long":"\#(String(repeating: "é", count: 30))"}"#
                    .utf8)
        let expected = try JSONValue.parse(hostile).sanitized(maxLength: 20)
        let parsed = try hostile.withUnsafeBytes { try JSONValue.parseSanitized($0, maxLength: 20) }
        #expect(parsed == expected)
        #expect(parsed["attachment"]?["data"] == .string("\u{1B}AAAA"), "base64 payloads are left as they are")
        let files = FileManager.default.enumerator(atPath: Self.dataDirectory.path)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".ndjson") {
            let data = try Data(contentsOf: Self.dataDirectory.appendingPathComponent(file))
            for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                let bytes = Data(line)
                let sanitized = try bytes.withUnsafeBytes { try JSONValue.parseSanitized($0) }
                #expect(sanitized == (try JSONValue.parse(bytes).sanitized()), "\(file)")
            }
        }
    }

    @Test func missingAndNullAreNilAndUnknownMembersAreIgnored() throws {
        let json = try JSONValue.parse(
            Data(#"{"resourceType":"Patient","id":"p1","gender":null,"vendor":{"x":[1,2]},"birthDate":"1947-09-25"}"#.utf8))
        let patient = try JSONValueDecoder.decode(Patient.self, from: json)
        #expect(patient.id == "p1")
        #expect(patient.gender == nil)
        #expect(patient.name == nil)
        #expect(patient.birthDate?.text == "1947-09-25")
    }

    @Test func wrongTypesAreErrorsWithTheirPath() throws {
        let bundle = try JSONValue.parse(
            Data(
                """
                {"resourceType":"Bundle","type":"searchset","total":2,"entry":[\
                {"resource":{"resourceType":"Observation","id":"x1","status":{"not":"a code"},"code":17}},\
                {"resource":{"resourceType":"Condition","id":"x2","onsetDateTime":"i går"}},\
                {"resource":{"resourceType":"Patient","id":"ok"}}]}
                """.utf8))
        let decoded = try JSONValueDecoder.decode(FHIR.Bundle.self, from: bundle)
        let expected = try FHIRJSON.decode(FHIR.Bundle.self, from: Data(bundle.serialized()))
        #expect(decoded.entry?.count == 3)
        guard case .unreadable(let reason)? = decoded.entry?[0].resource else {
            Issue.record("a wrong type must make the entry unreadable")
            return
        }
        #expect(reason.contains("status"))
        if case .unreadable? = expected.entry?[0].resource {} else { Issue.record("JSONDecoder reads it the same way") }
        guard case .unreadable(let date)? = decoded.entry?[1].resource else {
            Issue.record("a bad date must make the entry unreadable")
            return
        }
        #expect(date.contains("onsetDateTime"))
        #expect(decoded.entry?[2].resource == expected.entry?[2].resource)
        #expect(throws: DecodingError.self) {
            try JSONValueDecoder.decode(FHIR.Bundle.self, from: try JSONValue.parse(Data(#"{"total":"two"}"#.utf8)))
        }
        #expect(throws: DecodingError.self) {
            try JSONValueDecoder.decode(Int.self, from: .number(1.5))
        }
        #expect(try JSONValueDecoder.decode([Int].self, from: .array([.number(1), .number(2)])) == [1, 2])
        #expect(try JSONValueDecoder.decode([String: Bool].self, from: .object(["a": .bool(true)])) == ["a": true])
    }
}
