import Foundation

extension JSONValue {
    /// Parses JSON text with Foundation's JSONSerialization (much faster than decoding `JSONValue` through
    /// `Decodable`, which must try each case in turn).
    public static func parse(_ data: Data) throws -> JSONValue {
        JSONValue(jsonObject: try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
    }

    /// Converts the objects JSONSerialization returns.
    public init(jsonObject: Any) {
        switch jsonObject {
        case let text as String:
            self = .string(text)
        case let number as NSNumber:
            // JSON booleans come back as NSNumber of ObjC type 'c' (char).
            if String(cString: number.objCType) == "c" {
                self = .bool(number.boolValue)
            } else {
                self = .number(number.doubleValue)
            }
        case let members as [String: Any]:
            var result: [String: JSONValue] = [:]
            result.reserveCapacity(members.count)
            for (key, value) in members { result[key] = JSONValue(jsonObject: value) }
            self = .object(result)
        case let values as [Any]:
            self = .array(values.map { JSONValue(jsonObject: $0) })
        default:
            self = .null
        }
    }
}
