import FHIR
import Foundation
import Words

/// An app of the app cloud as the platform knows it: who made it, what kind it is, where it may be sent back to,
/// the keys it signs with, the scopes it may ask for and whether it may be used (pilot, approved, withdrawn).
public struct AppRegistration: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// A user-facing app (SMART App Launch: EHR or standalone launch, authorization code with PKCE).
        case webApp = "web-app"
        /// A backend service (SMART Backend Services: client credentials with a signed assertion).
        case backendService = "backend-service"
        /// One of the platform's own services (the patient summary).
        case platformService = "platform-service"
    }

    public enum Status: String, Codable, Sendable, CaseIterable {
        /// Tried out: until `pilotExpires`, on sandbox (synthetic) sources only.
        case pilot
        case approved
        /// Withdrawn: its tokens stop at once, none are issued.
        case withdrawn
    }

    public var clientID: String
    public var name: String
    public var vendor: String
    public var description: String
    public var kind: Kind
    public var redirectURIs: [String]
    public var launchURL: String?
    /// The app's public keys as a JWKS (JSON text), for a backend service or a confidential web app.
    public var jwks: String?
    /// Or where the app publishes them (https).
    public var jwksURL: String?
    /// The scopes the app may ask for (v2 syntax once registered).
    public var scopes: [String]
    public var status: Status
    public var pilotExpires: Date?
    public var registered: Date
    public var changed: Date

    public init(
        clientID: String, name: String, vendor: String, description: String = "", kind: Kind,
        redirectURIs: [String] = [], launchURL: String? = nil, jwks: String? = nil, jwksURL: String? = nil,
        scopes: [String], status: Status = .pilot, pilotExpires: Date? = nil, registered: Date = Date()
    ) {
        self.clientID = clientID
        self.name = name
        self.vendor = vendor
        self.description = description
        self.kind = kind
        self.redirectURIs = redirectURIs
        self.launchURL = launchURL
        self.jwks = jwks
        self.jwksURL = jwksURL
        self.scopes = scopes
        self.status = status
        self.pilotExpires = pilotExpires
        self.registered = registered
        self.changed = registered
    }

    /// The registered scopes, read.
    public var grantable: SMARTScopes { (try? SMARTScopes(parsing: scopes.joined(separator: " "))) ?? SMARTScopes() }

    /// Usable now: approved, or a pilot before its expiry.
    public func isUsable(at now: Date = Date()) -> Bool {
        switch status {
        case .approved: true
        case .pilot: (pilotExpires ?? .distantFuture) > now
        case .withdrawn: false
        }
    }

    /// A registration as the operator gave it, checked: a problem names the field (`app.*` phrases).
    public func validated() throws(AppProblem) -> AppRegistration {
        var app = self
        guard Self.isClientID(clientID) else {
            throw AppProblem(
                Phrase("appcloud.client-id-invalid", ["id": .text(TextSanitizer.cleanLine(clientID, maxLength: 80))]))
        }
        app.name = TextSanitizer.cleanLine(name, maxLength: 100)
        app.vendor = TextSanitizer.cleanLine(vendor, maxLength: 100)
        app.description = TextSanitizer.cleanLine(description, maxLength: 500)
        guard !app.name.isEmpty, !app.vendor.isEmpty else { throw AppProblem(Phrase("appcloud.name-missing")) }
        var read: [String] = []
        for scope in scopes.flatMap({ $0.split(separator: " ").map(String.init) }) {
            guard let resource = SMARTScope(scope) else {
                guard SMARTScopes.known.contains(scope) else {
                    throw AppProblem(
                        Phrase("appcloud.scope-invalid", ["scope": .text(TextSanitizer.cleanLine(scope, maxLength: 80))]))
                }
                if !read.contains(scope) { read.append(scope) }
                continue
            }
            // A backend service acts for an organisation (`system/`); a web app for a user or a patient.
            guard (resource.context == .system) == (kind != .webApp) else {
                throw AppProblem(Phrase("appcloud.scope-context", ["scope": .text(scope), "kind": .text(kind.rawValue)]))
            }
            guard resource.permissions.isSubset(of: [.read, .search]) else {
                throw AppProblem(Phrase("appcloud.scope-write", ["scope": .text(scope)]))
            }
            if !read.contains(resource.description) { read.append(resource.description) }
        }
        guard !read.isEmpty else { throw AppProblem(Phrase("appcloud.scopes-missing")) }
        app.scopes = read
        for uri in redirectURIs {
            guard Self.isRedirectURI(uri) else {
                throw AppProblem(
                    Phrase("appcloud.redirect-invalid", ["uri": .text(TextSanitizer.cleanLine(uri, maxLength: 200))]))
            }
        }
        if let launchURL, !Self.isRedirectURI(launchURL) {
            throw AppProblem(
                Phrase("appcloud.redirect-invalid", ["uri": .text(TextSanitizer.cleanLine(launchURL, maxLength: 200))]))
        }
        switch kind {
        case .webApp:
            guard !redirectURIs.isEmpty else { throw AppProblem(Phrase("appcloud.redirect-missing")) }
        case .backendService:
            guard jwks != nil || jwksURL != nil else { throw AppProblem(Phrase("appcloud.keys-missing")) }
        case .platformService:
            break
        }
        if let jwksURL {
            guard let url = URL(string: jwksURL), url.scheme == "https", url.host != nil else {
                throw AppProblem(
                    Phrase("appcloud.jwks-url-invalid", ["uri": .text(TextSanitizer.cleanLine(jwksURL, maxLength: 200))]))
            }
        }
        if let jwks {
            do {
                _ = try ClientKeys(jwks: jwks)
            } catch {
                throw AppProblem(Phrase("appcloud.jwks-invalid", ["error": .phrase(error.phrase)]))
            }
        }
        return app
    }

    /// 1 to 64 of `A-Z a-z 0-9 - . _`.
    public static func isClientID(_ text: String) -> Bool {
        (1...64).contains(text.unicodeScalars.count)
            && text.unicodeScalars.allSatisfy {
                ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0)
                    || "-._".unicodeScalars.contains($0)
            }
    }

    /// An absolute https URL, or http on the loopback address (a native or test app), without a fragment.
    public static func isRedirectURI(_ text: String) -> Bool {
        guard text.utf8.count <= 500, let components = URLComponents(string: text), components.fragment == nil,
            let host = components.host, !host.isEmpty, components.user == nil, components.password == nil
        else { return false }
        switch components.scheme {
        case "https": return true
        case "http": return host == "127.0.0.1" || host == "localhost" || host == "[::1]" || host == "::1"
        default: return false
        }
    }
}

/// An organisation's installation of an app: only its users (or, for a backend service, the organisation itself)
/// may use the app. Citizens' apps are installed for `AppInstallation.citizens`.
public struct AppInstallation: Codable, Sendable, Equatable {
    public var clientID: String
    public var organization: Identity.Organization
    /// The role a backend service acts in for the organisation (a practice's service acts as its GP does).
    public var role: Identity.Role?
    public var installed: Date
    public var installedBy: String?

    public init(
        clientID: String, organization: Identity.Organization, role: Identity.Role? = nil, installed: Date = Date(),
        installedBy: String? = nil
    ) {
        self.clientID = clientID
        self.organization = organization
        self.role = role
        self.installed = installed
        self.installedBy = installedBy
    }

    /// "Every citizen": an app for citizens' own data.
    public static let citizens = Identity.Organization(
        system: "https://sundhedscloud.dk/fhir/NamingSystem/audience", value: "citizens", name: "Borgere")

    /// Whether `identity`'s organisation (or, for a citizen, every citizen) installed it.
    public func covers(_ identity: Identity) -> Bool {
        if identity.role == .citizen { return organization == Self.citizens || organization.value == Self.citizens.value }
        guard let own = identity.organization else { return false }
        return own.system == organization.system && own.value == organization.value
    }
}

/// Why a registration or an installation is refused (`app.*`).
public struct AppProblem: Error, Sendable, Equatable, Phrased {
    public var phrase: Phrase
    public init(_ phrase: Phrase) { self.phrase = phrase }
}
