import FHIR
import Foundation

/// A demo user from `demo-data/users.json`: who they are, where they work, and what they subscribe to.
public struct DemoUser: Codable, Sendable, Equatable {
    public struct Organization: Codable, Sendable, Equatable {
        public var system: String
        public var value: String
        public var name: String
    }

    public struct SubscriptionWish: Codable, Sendable, Equatable {
        public var topic: String
        public var filters: [String]
    }

    public var id: String
    public var name: String
    public var title: String?
    /// ed-doctor | gp | home-nurse | doctor | citizen | log-auditor | researcher | data-controller
    public var role: String
    public var organization: Organization?
    public var municipality: String?
    public var cpr: String?
    public var patients: [String]?
    public var subscription: SubscriptionWish?

    /// Whether the user works in Overblik: the analysis platform's researcher and data controller do not (they use
    /// `sundhedscloud research`), so the terminal does not offer them.
    public var usesOverblik: Bool { role != "researcher" && role != "data-controller" }

    /// "Mette Kjær, overlæge, Akutmodtagelsen, Herlev".
    public var label: String {
        ([name] + [title?.lowercased() ?? (role == "citizen" ? "borger" : nil), organization?.name].compactMap { $0 })
            .joined(separator: ", ")
    }

    /// The user an answer to "Vælg 1-N [1]" picks: empty is the first, a number counts from 1, or a user's id;
    /// nil for anything else.
    public static func choice(_ answer: String, from users: [DemoUser]) -> DemoUser? {
        let answer = answer.trimmingCharacters(in: .whitespaces)
        if answer.isEmpty { return users.first }
        if let number = Int(answer) { return users.indices.contains(number - 1) ? users[number - 1] : nil }
        return users.first { $0.id == answer }
    }

    private struct File: Codable {
        var users: [DemoUser]
    }

    /// The users of a demo data folder.
    public static func load(from directory: URL) throws -> [DemoUser] {
        let url = directory.appendingPathComponent("users.json")
        do {
            return try JSONDecoder().decode(File.self, from: Data(contentsOf: url)).users
        } catch {
            throw DemoDataError(file: url.path, reason: "demo-brugerne kan ikke læses: \(error)")
        }
    }
}
