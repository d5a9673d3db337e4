import FHIR
import Foundation
import Words

/// Who is asking, as the gateway knows them from a verified token.
public struct Identity: Codable, Sendable, Hashable {
    public enum Role: String, Codable, Sendable, CaseIterable {
        /// Doctor in an emergency department: patients with an active acute or inpatient stay there.
        case edDoctor = "ed-doctor"
        /// General practitioner: the patients on the practice's list.
        case gp
        /// Municipal home nurse: citizens with an active municipal service in the municipality.
        case homeNurse = "home-nurse"
        /// A hospital doctor; a relationship only through an acute or inpatient stay at their department.
        case doctor
        /// A citizen: their own data and their own log.
        case citizen
        /// Log follow-up (logopfølgning): the access log, no clinical data.
        case logAuditor = "log-auditor"
        /// A researcher (forsker): applies for research projects and asks their approved statistics on the analysis
        /// platform; never a patient's data.
        case researcher
        /// The data controller (dataansvarlig): approves or refuses research projects; never a patient's data.
        case dataController = "data-controller"

        /// The sector a clinician works in (what a patient's blocks are written against).
        public var sector: String? {
            switch self {
            case .edDoctor, .doctor: "hospital"
            case .gp: "gp"
            case .homeNurse: "municipality"
            case .citizen, .logAuditor, .researcher, .dataController: nil
            }
        }

        public var isClinician: Bool { sector != nil }

        /// Whether the role may ever read a patient's data through the gateway (clinicians, and a citizen their own).
        public var readsPatientData: Bool { isClinician || self == .citizen }

        public var danish: String {
            switch self {
            case .edDoctor: "akutlæge"
            case .gp: "praktiserende læge"
            case .homeNurse: "hjemmesygeplejerske"
            case .doctor: "læge"
            case .citizen: "borger"
            case .logAuditor: "logopfølgning"
            case .researcher: "forsker"
            case .dataController: "dataansvarlig"
            }
        }
    }

    public struct Organization: Codable, Sendable, Hashable {
        public var system: String
        public var value: String
        public var name: String

        public init(system: String, value: String, name: String) {
            self.system = system
            self.value = value
            self.name = name
        }
    }

    public var id: String
    public var name: String
    public var title: String?
    public var role: Role
    public var organization: Organization?
    public var municipality: String?
    /// A citizen's own CPR number.
    public var cpr: String?
    /// The notifications this user follows by default (the identity provider's profile), e.g. an ED doctor's
    /// arrivals at their department; the client sets the subscription up from it.
    public var subscription: StandingSubscription?
    /// The app acting for this user (or, for a backend service, for its organisation), when the token is an app's:
    /// what it may do is its scopes within the user's own rights.
    public var app: AppActor?

    public struct AppActor: Codable, Sendable, Hashable {
        public let clientID: String
        public let name: String
        public let kind: AppRegistration.Kind
        /// The granted scopes, as in the token.
        public let scope: String
        /// The launch's patient (CPR number), which `patient/` scopes are held to.
        public let patient: String?
        /// `scope`, read once (the gateway asks at every request).
        public let scopes: SMARTScopes

        public init(clientID: String, name: String, kind: AppRegistration.Kind, scope: String, patient: String? = nil) {
            self.clientID = clientID
            self.name = name
            self.kind = kind
            self.scope = scope
            self.patient = patient
            self.scopes = (try? SMARTScopes(parsing: scope)) ?? SMARTScopes()
        }

        enum CodingKeys: String, CodingKey {
            case clientID, name, kind, scope, patient
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                clientID: try container.decode(String.self, forKey: .clientID),
                name: try container.decode(String.self, forKey: .name),
                kind: try container.decode(AppRegistration.Kind.self, forKey: .kind),
                scope: try container.decode(String.self, forKey: .scope),
                patient: try container.decodeIfPresent(String.self, forKey: .patient))
        }
    }

    public struct StandingSubscription: Codable, Sendable, Hashable {
        public var topic: String
        public var filters: [String]
    }

    public init(
        id: String, name: String, title: String? = nil, role: Role, organization: Organization? = nil,
        municipality: String? = nil, cpr: String? = nil
    ) {
        self.id = id
        self.name = name
        self.title = title
        self.role = role
        self.organization = organization
        self.municipality = municipality
        self.cpr = cpr
    }
}

extension Identity {
    /// What decides access, without the person's name or profile: kept with a subscription, checked at delivery.
    public var accessScope: Identity {
        var scope = Identity(id: id, name: "", role: role, organization: organization, municipality: municipality, cpr: cpr)
        scope.app = app
        return scope
    }

    /// One key per distinct access (role, organisation, municipality, own CPR number).
    var accessKey: String {
        [role.rawValue, organization?.value ?? "", municipality ?? "", cpr ?? ""].joined(separator: "|")
    }
}

extension Identity {
    private struct UsersFile: Decodable {
        var users: [Identity]
    }

    /// The demo identity provider's users from a `users.json` (the demo's `demo-data/users.json`).
    public static func loadUsers(file: URL) throws -> [Identity] {
        do {
            return try JSONDecoder().decode(UsersFile.self, from: Data(contentsOf: file)).users
        } catch {
            throw PlatformStorageError(
                Phrase("storage.users-unreadable", ["file": .text(file.path), "error": .text("\(error)")]))
        }
    }
}
