import Foundation

extension JSONValue {
    /// Parses JSON text (RFC 8259) straight into `JSONValue`. Foundation's JSONSerialization builds bridged
    /// NSDictionary/NSNumber trees that cost more to convert than to parse, and decoding `JSONValue` through
    /// `Decodable` must try each case in turn; this single pass over the UTF-8 bytes is several times faster than
    /// either, which matters for loading the demo data and for every answer a source sends.
    public static func parse(_ data: Data) throws -> JSONValue {
        try data.withUnsafeBytes { try parse(bytes: $0, sanitizing: nil) }
    }

    /// Parses and sanitizes in the same pass: the result equals `parse(data).sanitized(maxLength:)`, without a
    /// second walk over the tree. Plain ASCII strings without escapes are known clean from the scan itself.
    public static func parseSanitized(
        _ bytes: UnsafeRawBufferPointer, maxLength: Int = TextSanitizer.defaultMaxLength
    ) throws
        -> JSONValue
    {
        try parse(bytes: bytes, sanitizing: maxLength)
    }

    static func parse(bytes raw: UnsafeRawBufferPointer, sanitizing maxLength: Int?) throws -> JSONValue {
        var parser = JSONParser(bytes: raw.bindMemory(to: UInt8.self), sanitizeMaxLength: maxLength)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0, sanitize: maxLength != nil)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.error("unexpected text after the JSON value") }
        return value
    }
}

/// A JSON syntax error with its byte offset.
public struct JSONParseError: Error, CustomStringConvertible, Sendable {
    public let offset: Int
    public let reason: String
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

struct JSONParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    static let maxDepth = 512
    /// Sanitize strings to this length (`JSONValue.sanitized`), or nil for the text as it is.
    let sanitizeMaxLength: Int
    /// The last string read had no escapes and only printable ASCII: nothing in it for the sanitizer.
    var lastStringWasPlain = false
    /// Members of the objects being read, innermost last: an object's members are moved out once at its end, at
    /// their exact count, instead of growing member by member.
    let pending = MemberStack()
    /// Repeated text (code systems, displays, units, long member names) made into a String once per parse; for
    /// documents large enough to repeat themselves (a page of resources, not a notification).
    let strings: StringCache?

    init(bytes: UnsafeBufferPointer<UInt8>, sanitizeMaxLength: Int? = nil) {
        self.bytes = bytes
        self.sanitizeMaxLength = sanitizeMaxLength ?? 0
        self.strings = bytes.count >= 32 * 1024 ? StringCache() : nil
    }

    /// `TextSanitizer.clean` (values) or `cleanLine` (member names), skipped for plain text within the limit.
    func sanitized(_ text: consuming String, key: Bool) -> String {
        let limit = key ? 200 : sanitizeMaxLength
        if lastStringWasPlain, text.utf8.count <= limit { return text }
        return key ? TextSanitizer.cleanLine(text, maxLength: limit) : TextSanitizer.clean(text, maxLength: limit)
    }

    func error(_ reason: String) -> JSONParseError { JSONParseError(offset: index, reason: reason) }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int, sanitize: Bool = false) throws -> JSONValue {
        guard depth < Self.maxDepth else { throw error("nested too deeply") }
        guard index < bytes.count else { throw error("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth, sanitize: sanitize)
        case UInt8(ascii: "["): return try array(depth: depth, sanitize: sanitize)
        case UInt8(ascii: "\""):
            let text = try string()
            return .string(sanitize ? sanitized(text, key: false) : text)
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end") }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw error("unexpected character") }
        index += count
    }

    mutating func object(depth: Int, sanitize: Bool = false) throws -> JSONValue {
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object([:])
        }
        let mark = pending.count
        defer { pending.drop(to: mark) }
        // A member name that cleaning changes: the names are cleaned after the object is whole, so that a repeated
        // name is settled first on the text as sent and then on the cleaned names, as `JSONValue.sanitized` does.
        var renamed = false
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try string()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            if sanitize {
                // Base64 payloads (`data`) are opaque here, as in `JSONValue.sanitized`.
                let opaque = key == "data"
                if !renamed, sanitized(key, key: true) != key { renamed = true }
                let member = try value(depth: depth + 1, sanitize: !opaque)
                pending.append((key: consume key, value: consume member))
            } else {
                let member = try value(depth: depth + 1)
                pending.append((key: consume key, value: consume member))
            }
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end in an object") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                // A repeated name keeps its last value, as before.
                let object = JSONObject(members: pending.take(from: mark))
                guard renamed else { return .object(object) }
                return .object(
                    JSONObject(members: object.map { (key: TextSanitizer.cleanLine($0.key, maxLength: 200), value: $0.value) }))
            } else {
                throw error("expected ',' or '}'")
            }
        }
    }

    mutating func array(depth: Int, sanitize: Bool = false) throws -> JSONValue {
        index += 1
        var values: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(values)
        }
        while true {
            skipWhitespace()
            values.append(try value(depth: depth + 1, sanitize: sanitize))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end in an array") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(values)
            } else {
                throw error("expected ',' or ']'")
            }
        }
    }

    mutating func string() throws -> String {
        index += 1
        let start = index
        var plain = true
        lastStringWasPlain = false
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let run = UnsafeBufferPointer(rebasing: bytes[start..<index])
                let text =
                    plain ? strings?.string(run) ?? String(decoding: run, as: UTF8.self) : String(decoding: run, as: UTF8.self)
                index += 1
                lastStringWasPlain = plain
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw error("control character in a string") }
            if byte >= 0x7F { plain = false }
            index += 1
        }
        var buffer = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw error("unexpected end in an escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): buffer.append(0x22)
                case UInt8(ascii: "\\"): buffer.append(0x5C)
                case UInt8(ascii: "/"): buffer.append(0x2F)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    {
                        index += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("broken surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    let unicode = UnicodeScalar(scalar) ?? "\u{FFFD}"
                    buffer.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    throw error("unknown escape")
                }
            default:
                if byte < 0x20 { throw error("control character in a string") }
                buffer.append(byte)
                index += 1
            }
        }
        throw error("unterminated string")
    }

    mutating func hex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("short \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case 0x30...0x39: digit = UInt32(byte - 0x30)
            case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
            default: throw error("bad hex digit")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    mutating func number() throws -> Double {
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        var digits = 0
        var integer = 0.0
        var simple = true
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            integer = integer * 10 + Double(bytes[index] - 0x30)
            index += 1
            digits += 1
        }
        guard digits > 0 else { throw error("unexpected character") }
        if index < bytes.count,
            bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")
        {
            simple = false
            index += 1
            while index < bytes.count,
                (bytes[index] >= 0x30 && bytes[index] <= 0x39) || bytes[index] == UInt8(ascii: "e")
                    || bytes[index] == UInt8(ascii: "E") || bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")
            {
                index += 1
            }
        }
        if simple, digits < 16 { return bytes[start] == UInt8(ascii: "-") ? -integer : integer }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text) else { throw error("bad number '\(text)'") }
        // 1e999 reads as infinity, which JSON cannot write back (it would come out as null): refused, as
        // JSONSerialization and JSONDecoder refuse it.
        guard value.isFinite else { throw error("number '\(text)' is out of range") }
        return value
    }
}

/// A stack of object members for the parser. At an object's end its members are moved (not copied) into an array of
/// their exact count: no retain and release of every name and value, as copying a slice of an Array and then
/// removing it costs.
final class MemberStack {
    private var base: UnsafeMutablePointer<JSONObject.Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 64) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    func append(_ element: consuming JSONObject.Element) {
        if count == capacity {
            let grown = UnsafeMutablePointer<JSONObject.Element>.allocate(capacity: capacity * 2)
            grown.moveInitialize(from: base, count: count)
            base.deallocate()
            base = grown
            capacity *= 2
        }
        (base + count).initialize(to: element)
        count += 1
    }

    /// The members from `mark` on, moved out; the stack is left at `mark`.
    func take(from mark: Int) -> [JSONObject.Element] {
        let taken = count - mark
        let members = [JSONObject.Element](unsafeUninitializedCapacity: taken) { buffer, initialized in
            buffer.baseAddress?.moveInitialize(from: base + mark, count: taken)
            initialized = taken
        }
        count = mark
        return members
    }

    /// Back to `mark`, releasing what is above it (after an error).
    func drop(to mark: Int) {
        guard count > mark else { return }
        (base + mark).deinitialize(count: count - mark)
        count = mark
    }
}

/// A direct-mapped cache of the strings a parse has made, for plain ASCII text of 16 to 96 bytes (shorter text is
/// stored inside the String itself, longer text rarely repeats). A page of FHIR resources repeats the same code
/// systems, displays, units and references in every entry: each is allocated once and shared, which saves the
/// allocation, the copy and the validation while parsing and the memory of every copy kept in decoded pages. A slot
/// is keyed by the length and three 8-byte words of the text and always compared in full; a clash replaces it.
final class StringCache {
    private static let slotCount = 1024
    private var slots = [String?](repeating: nil, count: StringCache.slotCount)

    func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let count = bytes.count
        guard count >= 16, count <= 96, let base = bytes.baseAddress else {
            return String(decoding: bytes, as: UTF8.self)
        }
        let raw = UnsafeRawPointer(base)
        var hash = UInt64(count) &* 0x9E37_79B9_7F4A_7C15
        hash = (hash ^ raw.loadUnaligned(as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
        hash = (hash ^ raw.loadUnaligned(fromByteOffset: count / 2 - 4, as: UInt64.self)) &* 0x94D0_49BB_1331_11EB
        hash = (hash ^ raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
        let slot = Int(truncatingIfNeeded: hash >> 54) & (Self.slotCount - 1)
        if let known = slots[slot],
            known.utf8.count == count,
            known.utf8.withContiguousStorageIfAvailable({ memcmp($0.baseAddress!, base, count) == 0 }) == true
        {
            return known
        }
        let made = String(decoding: bytes, as: UTF8.self)
        slots[slot] = made
        return made
    }
}
