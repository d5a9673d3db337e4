/// Decodes `Decodable` types straight from a parsed `JSONValue`, without writing the JSON out and parsing it again
/// through Foundation's `JSONDecoder`. The client parses every answer into `JSONValue` anyway (to sanitize it), so
/// this saves a serialization and a second parse per page. It follows `JSONDecoder`'s rules where the models can
/// tell: a missing key or `null` is nil for `decodeIfPresent`, numbers are not strings and strings are not numbers,
/// integers must be whole and in range; errors are `DecodingError`s with their coding path.
public enum JSONValueDecoder {
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        if T.self == JSONValue.self { return value as! T }
        if let readable = T.self as? any JSONValueReadable.Type, let result = readable.read(value) { return result as! T }
        return try T(from: JSONValueDecoding(value: value, parent: nil, key: nil, readers: true))
    }

    /// Through `T`'s Codable conformance even when it has a reader (`readers`: and for what is nested in it).
    package static func decodeWithCodable<T: Decodable>(_ type: T.Type, from value: JSONValue, readers: Bool) throws -> T {
        try T(from: JSONValueDecoding(value: value, parent: nil, key: nil, readers: readers))
    }
}

/// One level of decoding: the value and how we got there (the coding path is built only when an error needs it).
final class JSONValueDecoding: Decoder {
    let value: JSONValue
    let parent: JSONValueDecoding?
    let key: (any CodingKey)?
    /// Whether nested models with a `JSONValueReadable` reader use it.
    let readers: Bool

    init(value: JSONValue, parent: JSONValueDecoding?, key: (any CodingKey)?, readers: Bool) {
        self.value = value
        self.parent = parent
        self.key = key
        self.readers = readers
    }

    var codingPath: [any CodingKey] {
        var path: [any CodingKey] = []
        var node: JSONValueDecoding? = self
        while let current = node {
            if let key = current.key { path.append(key) }
            node = current.parent
        }
        return path.reversed()
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw mismatch([String: JSONValue].self, value, codingPath)
        }
        return KeyedDecodingContainer(JSONValueKeyedContainer<Key>(members: members, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let values) = value else { throw mismatch([JSONValue].self, value, codingPath) }
        return JSONValueUnkeyedContainer(values: values, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func child(_ value: JSONValue, _ key: any CodingKey) -> JSONValueDecoding {
        JSONValueDecoding(value: value, parent: self, key: key, readers: readers)
    }

    /// A nested value of any type: `JSONValue` and the scalars without a new decoder level.
    func decode<T: Decodable>(_ type: T.Type, value: JSONValue, key: any CodingKey) throws -> T {
        if T.self == JSONValue.self { return value as! T }
        if T.self == String.self {
            guard case .string(let text) = value else { throw mismatch(T.self, value, codingPath + [key]) }
            return text as! T
        }
        if readers, let readable = T.self as? any JSONValueReadable.Type, let result = readable.read(value) {
            return result as! T
        }
        return try T(from: child(value, key))
    }
}

func mismatch(_ type: Any.Type, _ value: JSONValue, _ path: [any CodingKey]) -> DecodingError {
    let found: String
    switch value {
    case .null: found = "null"
    case .bool: found = "a boolean"
    case .number: found = "a number"
    case .string: found = "a string"
    case .array: found = "an array"
    case .object: found = "an object"
    }
    if case .null = value {
        return .valueNotFound(type, .init(codingPath: path, debugDescription: "Expected \(type) but found null instead."))
    }
    return .typeMismatch(
        type, .init(codingPath: path, debugDescription: "Expected to decode \(type) but found \(found) instead."))
}

/// Scalars, shared by the single-value container and the keyed and unkeyed ones.
enum JSONScalar {
    static func bool(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(Bool.self, value, path()) }
        return flag
    }

    static func string(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> String {
        guard case .string(let text) = value else { throw mismatch(String.self, value, path()) }
        return text
    }

    static func double(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Double {
        guard case .number(let number) = value else { throw mismatch(Double.self, value, path()) }
        return number
    }

    static func float(_ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]) throws -> Float {
        guard case .number(let number) = value else { throw mismatch(Float.self, value, path()) }
        return Float(number)
    }

    static func integer<T: FixedWidthInteger>(
        _ type: T.Type, _ value: JSONValue, _ path: @autoclosure () -> [any CodingKey]
    ) throws -> T {
        guard case .number(let number) = value else { throw mismatch(T.self, value, path()) }
        guard let integer = T(exactly: number) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: path(), debugDescription: "Number \(number) does not fit in \(T.self)."))
        }
        return integer
    }
}

extension JSONValueDecoding: SingleValueDecodingContainer {
    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try JSONScalar.bool(value, codingPath) }
    func decode(_ type: String.Type) throws -> String { try JSONScalar.string(value, codingPath) }
    func decode(_ type: Double.Type) throws -> Double { try JSONScalar.double(value, codingPath) }
    func decode(_ type: Float.Type) throws -> Float { try JSONScalar.float(value, codingPath) }
    func decode(_ type: Int.Type) throws -> Int { try JSONScalar.integer(type, value, codingPath) }
    func decode(_ type: Int8.Type) throws -> Int8 { try JSONScalar.integer(type, value, codingPath) }
    func decode(_ type: Int16.Type) throws -> Int16 { try JSONScalar.integer(type, value, codingPath) }
    func decode(_ type: Int32.Type) throws -> Int32 { try JSONScalar.integer(type, value, codingPath) }
    func decode(_ type: Int64.Type) throws -> Int64 { try JSONScalar.integer(type, value, codingPath) }
    func decode(_ type: UInt.Type) throws -> UInt { try JSONScalar.integer(type, value, codingPath) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try JSONScalar.integer(type, value, codingPath) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try JSONScalar.integer(type, value, codingPath) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try JSONScalar.integer(type, value, codingPath) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try JSONScalar.integer(type, value, codingPath) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == JSONValue.self { return value as! T }
        return try T(from: self)
    }
}

struct JSONValueKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    /// The members, read as the hand-written readers read them.
    let object: JSONObjectReader
    let decoder: JSONValueDecoding

    init(members: JSONObject, decoder: JSONValueDecoding) {
        self.object = JSONObjectReader(members)
        self.decoder = decoder
    }

    var members: JSONObject { object.members }
    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func required(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "No value associated with key \(key.stringValue)."))
        }
        return value
    }

    /// The value of a present, non-null key.
    private func present(_ key: Key) -> JSONValue? {
        object.present(key.stringValue)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try required(key) { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
        try JSONScalar.bool(try required(key), codingPath + [key])
    }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try JSONScalar.string(try required(key), codingPath + [key])
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double {
        try JSONScalar.double(try required(key), codingPath + [key])
    }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        try JSONScalar.float(try required(key), codingPath + [key])
    }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        try JSONScalar.integer(type, try required(key), codingPath + [key])
    }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 {
        try JSONScalar.integer(type, try required(key), codingPath + [key])
    }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 {
        try JSONScalar.integer(type, try required(key), codingPath + [key])
    }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 {
        try JSONScalar.integer(type, try required(key), codingPath + [key])
    }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        try JSONScalar.integer(type, try required(key), codingPath + [key])
    }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt {
        try JSONScalar.integer(type, try required(key), codingPath + [key])
    }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 {
        try JSONScalar.integer(type, try required(key), codingPath + [key])
    }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 {
        try JSONScalar.integer(type, try required(key), codingPath + [key])
    }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 {
        try JSONScalar.integer(type, try required(key), codingPath + [key])
    }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try JSONScalar.integer(type, try required(key), codingPath + [key])
    }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.decode(type, value: try required(key), key: key)
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let value = present(key) else { return nil }
        return try JSONScalar.bool(value, codingPath + [key])
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let value = present(key) else { return nil }
        return try JSONScalar.string(value, codingPath + [key])
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        guard let value = present(key) else { return nil }
        return try JSONScalar.double(value, codingPath + [key])
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let value = present(key) else { return nil }
        return try JSONScalar.integer(type, value, codingPath + [key])
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = present(key) else { return nil }
        return try decoder.decode(type, value: value, key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.child(try required(key), key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.child(try required(key), key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        decoder.child(members["super"] ?? .null, JSONIndexKey(stringValue: "super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.child(members[key.stringValue] ?? .null, key)
    }
}

/// A position in an array, as a coding key.
struct JSONIndexKey: CodingKey {
    private let name: String?
    let intValue: Int?

    /// Built only when a path is shown, not for every element.
    var stringValue: String { name ?? "Index \(intValue ?? 0)" }

    init(stringValue: String) {
        self.name = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.name = nil
        self.intValue = intValue
    }
}

struct JSONValueUnkeyedContainer: UnkeyedDecodingContainer {
    let values: [JSONValue]
    let decoder: JSONValueDecoding
    private(set) var currentIndex = 0

    init(values: [JSONValue], decoder: JSONValueDecoding) {
        self.values = values
        self.decoder = decoder
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { values.count }
    var isAtEnd: Bool { currentIndex >= values.count }

    private var indexKey: JSONIndexKey { JSONIndexKey(intValue: currentIndex) }

    private mutating func next(_ type: Any.Type) throws -> JSONValue {
        guard currentIndex < values.count else {
            throw DecodingError.valueNotFound(
                type, .init(codingPath: codingPath + [indexKey], debugDescription: "Unkeyed container is at end."))
        }
        defer { currentIndex += 1 }
        return values[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard currentIndex < values.count else {
            throw DecodingError.valueNotFound(
                JSONValue.self, .init(codingPath: codingPath + [indexKey], debugDescription: "Unkeyed container is at end."))
        }
        if case .null = values[currentIndex] {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let key = indexKey
        let value = try next(type)
        return try JSONScalar.bool(value, decoder.codingPath + [key])
    }
    mutating func decode(_ type: String.Type) throws -> String {
        let key = indexKey
        let value = try next(type)
        return try JSONScalar.string(value, decoder.codingPath + [key])
    }
    mutating func decode(_ type: Double.Type) throws -> Double {
        let key = indexKey
        let value = try next(type)
        return try JSONScalar.double(value, decoder.codingPath + [key])
    }
    mutating func decode(_ type: Float.Type) throws -> Float {
        let key = indexKey
        let value = try next(type)
        return try JSONScalar.float(value, decoder.codingPath + [key])
    }
    mutating func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    private mutating func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        let key = indexKey
        let value = try next(type)
        return try JSONScalar.integer(type, value, decoder.codingPath + [key])
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let key = indexKey
        let value = try next(type)
        return try decoder.decode(type, value: value, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey>
    {
        let key = indexKey
        return try decoder.child(try next(type), key).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let key = indexKey
        return try decoder.child(try next([JSONValue].self), key).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let key = indexKey
        return decoder.child(try next(JSONValue.self), key)
    }
}
