import FHIR
import Foundation
import Synchronization
import Words

/// The apps and their installations as the node uses them: a copy of the storage's (where operators, their command
/// line and other nodes change them), checked against the storage's `appsVersion` at every question, so a withdrawal
/// or an uninstallation stops an app's tokens at once on every node. The check is one read of one row.
public final class AppRegistry: Sendable {
    public let storage: any PlatformStorage
    let maxAge: Duration

    private struct Snapshot: Sendable {
        var apps: [String: AppRegistration] = [:]
        var installations: [AppInstallation] = []
        /// Each app's registered scopes, read once per copy.
        var grantable: [String: SMARTScopes] = [:]
        var read: ContinuousClock.Instant?
        var version: Int64 = -1
    }

    private let snapshot = Mutex(Snapshot())

    /// `maxAge`: the copy is read again after this long even when the version did not change.
    public init(storage: any PlatformStorage, maxAge: Duration = .seconds(60)) {
        self.storage = storage
        self.maxAge = maxAge
    }

    private func current() async throws -> Snapshot {
        let clock = ContinuousClock()
        let now = clock.now
        let kept = snapshot.withLock { $0 }
        let version = try await storage.appsVersion()
        if let read = kept.read, now - read < maxAge, kept.version == version { return kept }
        async let apps = storage.apps()
        async let installations = storage.installations()
        let byID = Dictionary(try await apps.map { ($0.clientID, $0) }, uniquingKeysWith: { _, last in last })
        let fresh = Snapshot(
            apps: byID, installations: try await installations, grantable: byID.mapValues(\.grantable), read: now,
            version: version)
        snapshot.withLock { $0 = fresh }
        return fresh
    }

    /// Forget what was read: the next question reads the storage (after a change made here).
    public func invalidate() {
        snapshot.withLock { $0.read = nil }
    }

    public func app(_ clientID: String) async throws -> AppRegistration? {
        try await current().apps[clientID]
    }

    /// An app and its installations, from one look at the storage's version.
    public func view(
        _ clientID: String
    ) async throws -> (
        app: AppRegistration?, grantable: SMARTScopes, installations: [AppInstallation]
    ) {
        let snapshot = try await current()
        return (
            snapshot.apps[clientID], snapshot.grantable[clientID] ?? SMARTScopes(),
            snapshot.installations.filter { $0.clientID == clientID }
        )
    }

    public func all() async throws -> [AppRegistration] {
        try await current().apps.values.sorted { $0.clientID < $1.clientID }
    }

    /// Every app and every installation, from one look at the storage's version.
    public func catalogue() async throws -> (apps: [AppRegistration], installations: [AppInstallation]) {
        let snapshot = try await current()
        return (snapshot.apps.values.sorted { $0.clientID < $1.clientID }, snapshot.installations)
    }

    public func installations(of clientID: String) async throws -> [AppInstallation] {
        try await current().installations.filter { $0.clientID == clientID }
    }

    // MARK: - What operators do

    /// Registers a new app (a pilot until approved); an existing client id is refused.
    @discardableResult
    public func register(_ app: AppRegistration) async throws -> AppRegistration {
        let checked = try app.validated()
        guard try await storage.apps().first(where: { $0.clientID == checked.clientID }) == nil else {
            throw AppProblem(Phrase("appcloud.exists", ["id": .text(checked.clientID)]))
        }
        try await storage.saveApp(checked)
        invalidate()
        return checked
    }

    /// Sets an app's status (approve, withdraw, back to pilot until `pilotExpires`).
    @discardableResult
    public func setStatus(
        _ clientID: String, _ status: AppRegistration.Status, pilotExpires: Date? = nil, now: Date = Date()
    ) async throws -> AppRegistration {
        guard var app = try await storage.apps().first(where: { $0.clientID == clientID }) else {
            throw AppProblem(Phrase("appcloud.unknown", ["id": .text(TextSanitizer.cleanLine(clientID, maxLength: 80))]))
        }
        app.status = status
        if status == .pilot { app.pilotExpires = pilotExpires ?? app.pilotExpires }
        app.changed = now
        try await storage.saveApp(app)
        invalidate()
        return app
    }

    /// Installs an app for an organisation. A withdrawn app cannot be installed; a backend service needs the role it
    /// acts in.
    @discardableResult
    public func install(_ installation: AppInstallation) async throws -> AppInstallation {
        guard let app = try await storage.apps().first(where: { $0.clientID == installation.clientID }) else {
            throw AppProblem(
                Phrase("appcloud.unknown", ["id": .text(TextSanitizer.cleanLine(installation.clientID, maxLength: 80))]))
        }
        guard app.status != .withdrawn else { throw AppProblem(Phrase("appcloud.withdrawn", ["app": .text(app.name)])) }
        if app.kind == .backendService {
            guard let role = installation.role, role.isClinician else {
                throw AppProblem(Phrase("appcloud.install-role-missing"))
            }
        }
        var cleaned = installation
        cleaned.organization.name = TextSanitizer.cleanLine(installation.organization.name, maxLength: 100)
        try await storage.saveInstallation(cleaned)
        invalidate()
        return cleaned
    }

    public func uninstall(_ clientID: String, organization: Identity.Organization) async throws -> Bool {
        let removed = try await storage.removeInstallation(clientID: clientID, organization: organization)
        invalidate()
        return removed
    }
}
