import FHIR
import Foundation

/// One SMART resource scope (App Launch 2.2, "Scopes and launch context"): `patient/Observation.rs`,
/// `user/*.rs`, `system/Encounter.rs`, narrowed by search parameters as in `patient/Observation.rs?category=laboratory`.
/// The v1 forms are read as their v2 equivalents: `.read` is `.rs`, `.write` is `.cud`, `.*` is `.cruds`.
///
/// ```swift
/// let scope = SMARTScope("patient/Observation.read")   // patient/Observation.rs
/// scope?.allows(type: "Observation", .search, parameters: [("patient", "123")])   // true
/// ```
public struct SMARTScope: Sendable, Hashable, CustomStringConvertible {
    public enum Context: String, Sendable, CaseIterable {
        /// The one patient of the launch (or the citizen themself).
        case patient
        /// Whatever the user may see.
        case user
        /// A backend service, for the organisation that installed it.
        case system
    }

    /// The interactions a scope grants, in the order v2 writes them (`c r u d s`).
    public struct Permissions: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let create = Permissions(rawValue: 1)
        public static let read = Permissions(rawValue: 2)
        public static let update = Permissions(rawValue: 4)
        public static let delete = Permissions(rawValue: 8)
        public static let search = Permissions(rawValue: 16)
        public static let all: Permissions = [.create, .read, .update, .delete, .search]

        static let letters: [(Character, Permissions)] = [
            ("c", .create), ("r", .read), ("u", .update), ("d", .delete), ("s", .search),
        ]

        /// `rs`, in v2's order; nil for anything else (a letter twice, out of order, unknown, or none).
        init?(v2 text: Substring) {
            var value: Permissions = []
            var next = 0
            for character in text {
                guard let index = Self.letters[next...].firstIndex(where: { $0.0 == character }) else { return nil }
                value.insert(Self.letters[index].1)
                next = index + 1
            }
            guard !value.isEmpty else { return nil }
            self = value
        }

        var text: String { String(Self.letters.filter { contains($0.1) }.map(\.0)) }
    }

    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    public var context: Context
    /// A resource type, or `*` for every type.
    public var resourceType: String
    public var permissions: Permissions
    /// Search parameters the scope is narrowed to (all of them must be in a request it allows).
    public var parameters: [Parameter]

    public init(context: Context, resourceType: String, permissions: Permissions, parameters: [Parameter] = []) {
        self.context = context
        self.resourceType = resourceType
        self.permissions = permissions
        self.parameters = parameters
    }

    /// A scope as written in a request or a registration; nil when it is not a resource scope or not well formed.
    public init?(_ text: String) {
        // Limits on what the scope says, not on how it is written: the v2 text it writes back (percent-encoded)
        // reads as the same scope however long that is.
        guard let slash = text.firstIndex(of: "/"),
            let context = Context(rawValue: String(text[..<slash]))
        else { return nil }
        var rest = text[text.index(after: slash)...]
        var parameters: [Parameter] = []
        if let question = rest.firstIndex(of: "?") {
            let query = String(rest[rest.index(after: question)...])
            rest = rest[..<question]
            let pairs = QueryString.parse(query)
            guard !pairs.isEmpty, pairs.count <= 10,
                pairs.allSatisfy({
                    !$0.name.isEmpty && !$0.value.isEmpty && !$0.name.hasPrefix("_")
                        && $0.name.unicodeScalars.count <= 100 && $0.value.unicodeScalars.count <= 100
                })
            else { return nil }
            parameters = pairs.map { Parameter(name: $0.name, value: $0.value) }
        }
        guard let dot = rest.lastIndex(of: ".") else { return nil }
        let type = String(rest[..<dot])
        guard type == "*" || Self.isResourceType(type) else { return nil }
        let permissionText = rest[rest.index(after: dot)...]
        let permissions: Permissions
        switch permissionText {
        case "read": permissions = [.read, .search]
        case "write": permissions = [.create, .update, .delete]
        case "*": permissions = .all
        default:
            guard let v2 = Permissions(v2: permissionText) else { return nil }
            permissions = v2
        }
        // v1 forms take no narrowing (it is a v2 feature).
        if !parameters.isEmpty, ["read", "write", "*"].contains(permissionText) { return nil }
        self.init(context: context, resourceType: type, permissions: permissions, parameters: parameters)
    }

    /// The scope in v2 syntax.
    public var description: String {
        var text = "\(context.rawValue)/\(resourceType).\(permissions.text)"
        if !parameters.isEmpty {
            text += "?" + QueryString.encode(parameters.map { (name: $0.name, value: $0.value) })
        }
        return text
    }

    /// True when everything `other` grants, this grants too (a scope asked for within a registration).
    public func covers(_ other: SMARTScope) -> Bool {
        context == other.context && (resourceType == "*" || resourceType == other.resourceType)
            && permissions.isSuperset(of: other.permissions)
            && parameters.allSatisfy { other.parameters.contains($0) }
    }

    /// True when this scope lets `permission` be done on `type` with these request parameters: a narrowed scope
    /// allows only searches that carry its parameters with the same values (a read cannot be held to them).
    public func allows(type: String, _ permission: Permissions, parameters given: [(String, String)]) -> Bool {
        guard resourceType == "*" || resourceType == type, permissions.isSuperset(of: permission) else { return false }
        guard !parameters.isEmpty else { return true }
        guard permission == .search else { return false }
        return parameters.allSatisfy { wanted in given.contains { $0.0 == wanted.name && $0.1 == wanted.value } }
    }

    static func isResourceType(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("A"..."Z").contains(first), text.unicodeScalars.count <= 64 else {
            return false
        }
        return text.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("a"..."z").contains($0) }
    }
}

/// The scopes of a request or a token (space-separated, RFC 6749 §3.3): resource scopes and the others SMART
/// defines (`launch`, `launch/patient`, `openid`, `fhirUser`, `offline_access`, `online_access`).
public struct SMARTScopes: Sendable, Hashable, CustomStringConvertible {
    public static let known: Set<String> = [
        "launch", "launch/patient", "launch/encounter", "openid", "fhirUser", "profile", "offline_access", "online_access",
    ]

    public var resources: [SMARTScope]
    public var others: [String]

    public init(resources: [SMARTScope] = [], others: [String] = []) {
        self.resources = resources
        self.others = others
    }

    /// The scopes of `text`; the first one that is neither a resource scope nor a known one is thrown.
    public init(parsing text: String) throws(Unknown) {
        var resources: [SMARTScope] = []
        var others: [String] = []
        for word in text.split(whereSeparator: { $0 == " " }).prefix(200).map(String.init) {
            if let scope = SMARTScope(word) {
                if !resources.contains(scope) { resources.append(scope) }
            } else if Self.known.contains(word) {
                if !others.contains(word) { others.append(word) }
            } else {
                throw Unknown(scope: word)
            }
        }
        self.init(resources: resources, others: others)
    }

    public struct Unknown: Error, Sendable, Equatable {
        public var scope: String
    }

    public var description: String { (others + resources.map(\.description)).joined(separator: " ") }

    public var isEmpty: Bool { resources.isEmpty && others.isEmpty }

    /// The scopes of `asked` that these cover, and the first that they do not.
    public func grant(_ asked: SMARTScopes) -> (granted: SMARTScopes, refused: String?) {
        for scope in asked.resources where !resources.contains(where: { $0.covers(scope) }) {
            return (SMARTScopes(), scope.description)
        }
        for other in asked.others where !others.contains(other) {
            return (SMARTScopes(), other)
        }
        return (asked, nil)
    }

    /// Whether some scope of `context` lets `permission` be done on `type` with these parameters.
    public func allow(
        _ contexts: Set<SMARTScope.Context>, type: String, _ permission: SMARTScope.Permissions,
        parameters: [(String, String)]
    ) -> Bool {
        resources.contains { contexts.contains($0.context) && $0.allows(type: type, permission, parameters: parameters) }
    }
}
