// Gateway: what an app may do: its scopes, its installation and its status, within its user's own rights.

import FHIR
import Foundation
import Words

extension Gateway {
    /// Whether the app behind `identity` (if any) may do `permission` on `type` at `source` with these parameters,
    /// for the patient `cpr` (nil: not one patient, or not known yet). A person's own client passes. The user's own
    /// rights (care relationship, blocks, emergency access) are decided after this, as for everyone: an app never
    /// gets more than its user.
    ///
    /// - withdrawn, unknown or a pilot past its date: 401, as its token no longer counts;
    /// - not installed by the user's organisation (for a backend service: the organisation it acts for): 403;
    /// - a pilot reaching a source that is not a sandbox: 403;
    /// - outside its scopes: 403 naming the scope it lacks.
    public func appDenial(
        _ identity: Identity, source: GatewaySource?, type: String, _ permission: SMARTScope.Permissions,
        parameters: [(String, String)], cpr: String?, now: Date = Date()
    ) async -> GatewayDenial? {
        guard let actor = identity.app else { return nil }
        let app: AppRegistration?
        let grantable: SMARTScopes
        let installations: [AppInstallation]
        do {
            (app, grantable, installations) = try await apps.view(actor.clientID)
        } catch {
            return GatewayDenial(
                status: 503, code: "transient", reason: "undecidable",
                phrase: Phrase("denial.undecidable", ["error": .error(error)]))
        }
        guard let app, app.isUsable(at: now) else {
            return GatewayDenial(
                status: 401, code: "login", reason: "app-withdrawn",
                phrase: Phrase("denial.app-withdrawn", ["app": .text(actor.name)]))
        }
        guard installations.contains(where: { $0.covers(identity) }) else {
            return .forbidden(
                "app-not-installed",
                Phrase(
                    "denial.app-not-installed",
                    ["app": .text(app.name), "organization": .text(identity.organization?.name ?? identity.role.danish)]))
        }
        if app.status == .pilot, let source, !source.sandbox {
            return .forbidden(
                "app-pilot-production",
                Phrase("denial.app-pilot-production", ["app": .text(app.name), "source": .text(source.name)]))
        }
        var contexts: Set<SMARTScope.Context> = actor.kind == .webApp ? [.user] : [.system]
        if actor.kind == .webApp, let cpr, cpr == actor.patient { contexts.insert(.patient) }
        // The token's scopes, as long as the registration still grants them.
        let granted = SMARTScopes(
            resources: actor.scopes.resources.filter { scope in
                grantable.resources.contains { $0.covers(scope) }
            })
        guard granted.allow(contexts, type: type, permission, parameters: parameters) else {
            let context: SMARTScope.Context = actor.kind != .webApp ? .system : (actor.patient != nil ? .patient : .user)
            let needed = SMARTScope(context: context, resourceType: type, permissions: permission)
            return .forbidden(
                "scope", Phrase("denial.app-scope-missing", ["scope": .text(needed.description), "app": .text(app.name)]))
        }
        return nil
    }

    /// `appDenial`, thrown: logged as a refused access when the patient is known, in the node's log otherwise.
    func admitApp(
        _ identity: Identity, _ client: String?, source: GatewaySource, type: String, action: String,
        parameters: [(String, String)], cpr: String?
    ) async throws(GatewayDenial) {
        let permission: SMARTScope.Permissions = action == "read" ? .read : .search
        guard
            let denial = await appDenial(
                identity, source: source, type: type, permission, parameters: parameters, cpr: cpr)
        else { return }
        if let cpr {
            try await log(identity, client, cpr: cpr, source: source, types: [type], action: action, decision: .deny(denial))
        }
        logger.warning(
            "App afvist: \(identity.app?.clientID ?? "-") \(action) \(type) hos \(source.id): \(denial.reason) (\(denial.danish))"
        )
        throw denial
    }
}
