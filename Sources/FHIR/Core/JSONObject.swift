/// The members of a JSON object, kept in the order they came, each name once.
///
/// A Dictionary cost more than it saved here: parsing a page hashed every member name of every object to build its
/// dictionary, and the models then look up a handful of names per object. Members in an array are built in one
/// allocation while parsing, and a lookup is a short scan that a one-bit-per-name signature (`JSONMemberSignature`)
/// answers at once for the many names a model asks for that are absent. Equality and hashing ignore order, as for a
/// dictionary; serialization orders members itself (`JSONValue.serialized`).
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: JSONValue)

    /// Unique names.
    private var entries: [Element]
    /// The OR of every name's `JSONMemberSignature`: a clear bit means that name is absent.
    private(set) var signatures: UInt64

    /// Above this many members, names are deduplicated through a Set instead of pairwise.
    private static let pairwiseLimit = 16

    public init() {
        entries = []
        signatures = 0
    }

    /// A repeated name keeps its last value, as in a dictionary assigned in order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(members: elements.map { (key: $0.0, value: $0.1) })
    }

    public init(_ dictionary: [String: JSONValue]) {
        entries = dictionary.map { (key: $0.key, value: $0.value) }
        signatures = entries.reduce(0) { $0 | JSONMemberSignature.of($1.key) }
    }

    /// Members in order; a repeated name keeps its last value, in the place of its first.
    public init<S: Sequence>(members: S) where S.Element == Element {
        self.init(members: Array(members))
    }

    /// Members in order; a repeated name keeps its last value, in the place of its first.
    public init(members: [Element]) {
        var entries = members
        var signatures: UInt64 = 0
        var repeated = false
        if entries.count <= Self.pairwiseLimit {
            // Names are compared only when their signature bits meet, and then only with names of the same bit.
            for index in entries.indices {
                let bit = JSONMemberSignature.of(entries[index].key)
                if signatures & bit != 0, !repeated {
                    repeated = entries[..<index].contains {
                        JSONMemberSignature.of($0.key) == bit && $0.key == entries[index].key
                    }
                }
                signatures |= bit
            }
        } else {
            var names = Set<String>(minimumCapacity: entries.count)
            for entry in entries {
                signatures |= JSONMemberSignature.of(entry.key)
                if !names.insert(entry.key).inserted { repeated = true }
            }
        }
        if repeated { entries = Self.deduplicated(entries) }
        self.entries = entries
        self.signatures = signatures
    }

    /// The last value of each name, in the place of its first.
    private static func deduplicated(_ entries: [Element]) -> [Element] {
        var positions: [String: Int] = [:]
        var result: [Element] = []
        result.reserveCapacity(entries.count)
        for entry in entries {
            if let index = positions[entry.key] {
                result[index].value = entry.value
            } else {
                positions[entry.key] = result.count
                result.append(entry)
            }
        }
        return result
    }

    @inline(__always) func index(of key: String) -> Int? {
        guard signatures & JSONMemberSignature.of(key) != 0 else { return nil }
        return entries.firstIndex { $0.key == key }
    }

    /// The member's value, nil when absent. Setting nil removes it; setting a new name appends it.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let index = index(of: key) else { return nil }
            return entries[index].value
        }
        set {
            if let index = index(of: key) {
                if let newValue {
                    entries[index].value = newValue
                } else {
                    entries.remove(at: index)
                    signatures = entries.reduce(0) { $0 | JSONMemberSignature.of($1.key) }
                }
            } else if let newValue {
                entries.append((key: key, value: newValue))
                signatures |= JSONMemberSignature.of(key)
            }
        }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [String] { entries.map(\.key) }
    public var values: [JSONValue] { entries.map(\.value) }

    public mutating func reserveCapacity(_ capacity: Int) { entries.reserveCapacity(capacity) }

    public func makeIterator() -> IndexingIterator<[Element]> { entries.makeIterator() }

    /// The same names with transformed values.
    public func mapValues(_ transform: (JSONValue) throws -> JSONValue) rethrows -> JSONObject {
        var result = self
        for index in result.entries.indices { result.entries[index].value = try transform(entries[index].value) }
        return result
    }

    public var dictionary: [String: JSONValue] {
        Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.entries.count == rhs.entries.count, lhs.signatures == rhs.signatures else { return false }
        for (key, value) in lhs.entries where rhs[key] != value { return false }
        return true
    }

    /// Independent of member order: the members' own hashes are summed.
    public func hash(into hasher: inout Hasher) {
        var sum = 0
        for (key, value) in entries {
            var member = Hasher()
            member.combine(key)
            member.combine(value)
            sum = sum &+ member.finalize()
        }
        hasher.combine(entries.count)
        hasher.combine(sum)
    }
}

/// One bit of 64 for a member name, from its first byte and its length (both cheap to get, unlike the last byte):
/// an object's members' bits ORed together tell most absent names without comparing them.
enum JSONMemberSignature {
    @inline(__always) static func of(_ name: String) -> UInt64 {
        let utf8 = name.utf8
        let mix = Int(utf8.first ?? 0) &* 7 &+ utf8.count
        return 1 << UInt64(mix & 63)
    }
}
