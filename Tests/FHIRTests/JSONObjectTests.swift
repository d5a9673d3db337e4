import FHIR
import Foundation
import Testing

/// `JSONObject` keeps members as parsed, in order; it must behave like the dictionary it replaced wherever anyone
/// could tell: lookups, a repeated name, equality, hashing, setting and removing.
@Suite struct JSONObjectTests {
    @Test func aRepeatedNameKeepsItsLastValueInSmallAndLargeObjects() throws {
        let small = try JSONValue.parse(Data(#"{"a":1,"b":2,"a":3}"#.utf8))
        #expect(small["a"] == .number(3))
        #expect(small.objectValue?.count == 2)
        #expect(small.objectValue?.keys == ["a", "b"])

        var members = (0..<100).map { "\"k\($0)\":\($0)" }
        members.append(#""k7":"last""#)
        let large = try JSONValue.parse(Data(("{" + members.joined(separator: ",") + "}").utf8))
        #expect(large.objectValue?.count == 100)
        #expect(large["k7"] == .string("last"))
        #expect(large["k99"] == .number(99))
        #expect(large["k100"] == nil)
    }

    @Test func equalityAndHashIgnoreOrder() throws {
        let one = try JSONValue.parse(Data(#"{"a":1,"b":{"c":[1,2],"d":null}}"#.utf8))
        let two = try JSONValue.parse(Data(#"{"b":{"d":null,"c":[1,2]},"a":1}"#.utf8))
        let three = try JSONValue.parse(Data(#"{"b":{"d":null,"c":[2,1]},"a":1}"#.utf8))
        #expect(one == two)
        #expect(one.hashValue == two.hashValue)
        #expect(one != three)
        #expect(Set([one, two, three]).count == 2)
        // Serialization does not depend on the order members came in.
        #expect(one.serializedString() == two.serializedString())
    }

    @Test func settingAndRemovingMembers() {
        var object: JSONObject = ["resourceType": .string("Patient"), "id": .string("1")]
        object["active"] = .bool(true)
        #expect(object.keys == ["resourceType", "id", "active"])
        object["id"] = .string("2")
        #expect(object["id"] == .string("2"))
        object["id"] = nil
        #expect(object["id"] == nil)
        #expect(object.count == 2)
        object["missing"] = nil
        #expect(object.count == 2)
        // A name added after a removal is found again (the absent-name bits stay right).
        object["id"] = .string("3")
        #expect(object["id"] == .string("3"))
        #expect(JSONObject(["x": .null]) == ["x": .null])
        #expect(object.dictionary == ["resourceType": .string("Patient"), "active": .bool(true), "id": .string("3")])
    }

    @Test func namesThatShareASignatureAreStillTold() {
        // Same first byte and length: the same signature bit.
        let object: JSONObject = ["code": .string("a"), "coda": .string("b"), "cody": .string("c")]
        #expect(object["code"] == .string("a"))
        #expect(object["coda"] == .string("b"))
        #expect(object["cody"] == .string("c"))
        #expect(object["codx"] == nil)
        #expect(object.count == 3)
    }
}
