import Foundation
import Testing

@testable import FHIR

/// The hand-written readers (`JSONValueReadable`) must give what Codable gives: the same model for every demo
/// resource, and for broken JSON the same verdict and the same error.
@Suite struct JSONValueReadableTests {
    static func demoResources() throws -> [JSONValue] {
        var resources: [JSONValue] = []
        let directory = JSONValueDecoderTests.dataDirectory
        let files = FileManager.default.enumerator(atPath: directory.path)?.compactMap { $0 as? String } ?? []
        for file in files.sorted() where file.hasSuffix(".ndjson") {
            let data = try Data(contentsOf: directory.appendingPathComponent(file))
            for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                resources.append(try JSONValue.parse(Data(line)))
            }
        }
        return resources
    }

    static func codable<T: Decodable & Equatable>(_ type: T.Type, _ value: JSONValue) -> Outcome<T> {
        do {
            return .value(try JSONValueDecoder.decodeWithCodable(T.self, from: value, readers: false))
        } catch {
            return .error(String(describing: error))
        }
    }

    static func withReaders<T: Decodable & Equatable>(_ type: T.Type, _ value: JSONValue) -> Outcome<T> {
        do {
            return .value(try JSONValueDecoder.decode(T.self, from: value))
        } catch {
            return .error(String(describing: error))
        }
    }

    @Test func everyDemoResourceReadsAsThroughCodable() throws {
        let resources = try Self.demoResources()
        var readByHand = 0
        for json in resources {
            let expected = try JSONValueDecoder.decodeWithCodable(AnyResource.self, from: json, readers: false)
            #expect(try JSONValueDecoder.decode(AnyResource.self, from: json) == expected, "\(json["id"] ?? .null)")
            let readable = [
                "Observation", "Communication", "Encounter", "Condition", "Appointment", "MedicationStatement",
                "AllergyIntolerance", "CarePlan", "DocumentReference",
            ]
            if readable.contains(json["resourceType"]?.stringValue ?? "") {
                // The reader itself must take these (not fall back to Codable), or it is not worth having.
                #expect(AnyResource.read(json) == expected)
                readByHand += 1
            }
        }
        #expect(readByHand > 3000)

        // And the whole lot as one search page.
        let page: JSONValue = .object([
            "resourceType": .string("Bundle"), "type": .string("searchset"), "total": .number(Double(resources.count)),
            "link": .array([.object(["relation": .string("next"), "url": .string("http://x/fhir/Observation?_page=2")])]),
            "entry": .array(
                resources.map {
                    .object(["fullUrl": .string("urn:x"), "resource": $0, "search": .object(["mode": .string("match")])])
                }),
        ])
        let bundle = try #require(Bundle.read(page))
        #expect(bundle == (try JSONValueDecoder.decodeWithCodable(Bundle.self, from: page, readers: false)))
        #expect(bundle.entry?.count == resources.count)
        #expect(bundle.link("next") != nil)
    }

    static let observation: JSONValue = try! JSONValue.parse(
        Data(
            #"""
            {"resourceType":"Observation","id":"o1","status":"final",
             "code":{"coding":[{"system":"urn:oid:1.2.208.176.2.1","code":"NPU02319","display":"Hæmoglobin"}]},
             "subject":{"reference":"Patient/1000"},"effectiveDateTime":"2026-11-20T08:15:00+01:00",
             "valueQuantity":{"value":8.1,"unit":"mmol/L"},
             "referenceRange":[{"low":{"value":8.3},"high":{"value":10.5}}],
             "component":[{"code":{"text":"x"},"valueInteger":3}]}
            """#.utf8))

    /// One member changed at a time, to something the model refuses or must ignore.
    static let changes: [(String, JSONValue?)] = [
        ("status", .number(5)),
        ("status", .null),
        ("resourceType", nil),
        ("code", .string("NPU02319")),
        ("code", .object(["coding": .object([:])])),
        ("code", .object(["coding": .array([.string("x")])])),
        ("valueQuantity", .object(["value": .string("8,1")])),
        ("valueInteger", .number(1.5)),
        ("valueInteger", .number(3)),
        ("valueBoolean", .string("true")),
        ("effectiveDateTime", .string("i går")),
        ("effectiveDateTime", .number(2026)),
        ("subject", .string("Patient/1000")),
        ("component", .array([.number(1)])),
        ("component", .array([.object(["valueInteger": .number(1e30)])])),
        ("referenceRange", .object([:])),
        ("meta", .object(["profile": .array([.number(1)])])),
        (
            "meta",
            .object(["lastUpdated": .string("2026-11-20T08:15:00+01:00"), "tag": .array([.object(["code": .string("t")])])])
        ),
        ("performer", .array([.null])),
        ("vendorExtra", .object(["anything": .array([])])),
    ]

    @Test(arguments: 0..<changes.count)
    func brokenOrOddMembersGetTheSameVerdict(index: Int) throws {
        let (member, replacement) = Self.changes[index]
        guard case .object(var members) = Self.observation else { return }
        members[member] = replacement
        let json = JSONValue.object(members)
        let expected = Self.codable(AnyResource.self, json)
        let actual = Self.withReaders(AnyResource.self, json)
        #expect(actual == expected, "\(member) → \(String(describing: replacement))")
        // Also inside a page: a bad entry keeps its place, unreadable with Codable's reason.
        let page: JSONValue = .object([
            "resourceType": .string("Bundle"), "type": .string("searchset"),
            "entry": .array([.object(["resource": json]), .object(["resource": Self.observation])]),
        ])
        #expect(Self.withReaders(Bundle.self, page) == Self.codable(Bundle.self, page))
    }

    @Test func aPageThatIsNotABundleFailsAsThroughCodable() throws {
        for page: JSONValue in [
            .object(["resourceType": .string("Bundle"), "entry": .string("none")]),
            .object(["resourceType": .string("Bundle"), "link": .array([.object(["relation": .string("next")])])]),
            .object(["resourceType": .string("Bundle"), "total": .number(-0.5)]),
            .object(["type": .string("searchset")]),
            .array([]),
        ] {
            let expected = Self.codable(Bundle.self, page)
            #expect(Self.withReaders(Bundle.self, page) == expected)
            if case .value = expected { Issue.record("\(page) should not decode") }
        }
    }
}

/// What a decoding gave: the model, or the error's description.
enum Outcome<T: Equatable>: Equatable {
    case value(T)
    case error(String)
}
