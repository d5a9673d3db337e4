import FHIR
import Foundation

extension FuzzTarget {
    /// `JSONValue.parse` and `parseSanitized`.
    static func json(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        let parsed = Result { try JSONValue.parse(bytes.data) }
        let sanitizedParse = Result { try JSONValue.parseSanitized(bytes) }
        switch (parsed, sanitizedParse) {
        case (.success(let value), .success(let clean)):
            // Written out, the value reads back the same, and writes the same text again.
            let text = value.serialized()
            switch Result(catching: { try JSONValue.parse(Data(text)) }) {
            case .success(let again):
                check.expect(again == value, "parse → serialize → parse changed the value")
                check.expect(again.serialized() == text, "serialize is not stable")
            case .failure(let error):
                check.fail("the serialized value does not parse: \(error)")
            }
            // Sanitizing while parsing is the same as sanitizing afterwards, and leaves nothing to clean.
            let after = value.sanitized()
            check.expect(clean == after, "parseSanitized differs from parse(...).sanitized()")
            if let problem = dirtyString(in: after) { check.fail("sanitized JSON still holds \(problem)") }
        case (.failure, .failure):
            break
        case (.success, .failure(let error)):
            check.fail("parse succeeds but parseSanitized fails: \(error)")
        case (.failure(let error), .success):
            check.fail("parseSanitized succeeds but parse fails: \(error)")
        }
    }

    /// A string (or member name) that sanitizing should have cleaned; `data` members are opaque, as for the
    /// sanitizer.
    static func dirtyString(in value: JSONValue) -> String? {
        switch value {
        case .string(let text):
            return ForbiddenText.first(in: text, newlines: true).map { "\($0) in a string" }
        case .array(let values):
            for element in values { if let problem = dirtyString(in: element) { return problem } }
        case .object(let members):
            for (key, member) in members {
                if let problem = ForbiddenText.first(in: key, newlines: false) { return "\(problem) in a member name" }
                if key != "data", let problem = dirtyString(in: member) { return problem }
            }
        default:
            break
        }
        return nil
    }
}
