import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import Words

/// With a gateway, the engine's subscriptions are people's too: every `/Subscription` request carries a token, a
/// subscription belongs to the user who made it (others get 404), and a new subscription must stay within what the
/// user may know: events carry CPR numbers and what happened to whom.
struct SubscriptionAccess: RouterMiddleware {
    typealias Context = PlatformRequestContext
    let gateway: Gateway
    let engine: EventEngine

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        guard path == "/Subscription" || path.hasPrefix("/Subscription/") else { return try await next(request, context) }
        var context = context
        do {
            let identity = try await gateway.authenticate(request.headers[.authorization])
            try gateway.admit(user: identity.id, client: context.remoteAddress?.ipAddress)
            if let denial = Gateway.noPatientData(identity.role) { throw denial }
            let parts = path.split(separator: "/")
            if parts.count >= 2 {
                let id = String(parts[1])
                let owner = engine.cachedSubscriptions().first { $0.id == id }?.owner
                if owner != identity.id {
                    throw GatewayDenial(
                        status: 404, code: "not-found", reason: "not-found",
                        phrase: Phrase("denial.no-subscription", ["id": .text(id)]))
                }
            }
            context.identity = identity
        } catch let denial as GatewayDenial {
            return GatewayRoutes.refusal(denial)
        }
        return try await next(request, context)
    }
}

/// What a user may subscribe to: a citizen only their own CPR number; a clinician a filter that keeps to their own
/// patients: their organisation (ED department, practice), their municipality (home nurse), or patients they each
/// have a current care relationship with.
enum SubscriptionPolicy {
    static func check(
        _ record: SubscriptionRecord, identity: Identity, relationships: any CareRelationships
    ) async throws(GatewayDenial) {
        let patients = record.filters.first { $0.key == .patient }?.values ?? []
        switch identity.role {
        case .citizen:
            guard let own = identity.cpr, !patients.isEmpty, patients.allSatisfy({ $0 == own }) else {
                let cpr: Phrase.Argument = identity.cpr.map { .text($0) } ?? .phrase(Phrase("denial.your-cpr"))
                throw .forbidden("subscription-scope", Phrase("denial.citizen-own-events", ["cpr": cpr]))
            }
            return
        case .logAuditor, .researcher, .dataController:
            throw Gateway.noPatientData(identity.role) ?? Gateway.auditorDenied
        case .edDoctor, .doctor, .gp, .homeNurse:
            break
        }
        if let organization = identity.organization?.value,
            record.filters.contains(where: { $0.key == .organization && $0.values.allSatisfy { $0 == organization } })
        {
            return
        }
        if identity.role == .homeNurse, let municipality = identity.municipality,
            record.filters.contains(where: { $0.key == .municipality && $0.values.allSatisfy { $0 == municipality } })
        {
            return
        }
        if !patients.isEmpty, patients.count <= 500 {
            var unrelated: [String] = []
            for cpr in patients {
                let related = (try? await relationships.relationship(of: identity, to: cpr))?.exists ?? false
                if !related { unrelated.append(cpr) }
            }
            if unrelated.isEmpty { return }
            throw .forbidden(
                "subscription-scope",
                Phrase(
                    "denial.subscription-unrelated", ["count": .integer(unrelated.count), "example": .text(unrelated[0])]))
        }
        let own = [
            identity.organization.map { "organization=\($0.value)" },
            identity.role == .homeNurse ? identity.municipality.map { "municipality=\($0)" } : nil,
        ].compactMap { $0 }
        let filters = own.map(Phrase.verbatim) + [Phrase("denial.related-patients-filter")]
        throw .forbidden("subscription-scope", Phrase("denial.subscription-own-patients", ["filters": .list(filters)]))
    }
}
