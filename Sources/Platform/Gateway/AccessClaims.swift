import Foundation
import JWTKit

/// The claims of a SundhedsCloud access token: the standard ones (subject, issuer, audience, expiry) and who the user
/// is (name, role, organisation, municipality, a citizen's CPR number).
struct AccessClaims: JWTPayload, Equatable {
    var sub: SubjectClaim
    var iss: IssuerClaim
    var aud: AudienceClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim
    var name: String
    var title: String?
    var role: String
    var organization: Identity.Organization?
    var municipality: String?
    var cpr: String?
    /// An app's token (SMART): its client id, name and kind, the granted scopes, the launch's patient.
    var client_id: String?
    var app_name: String?
    var app_kind: String?
    var scope: String?
    var patient: String?

    func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
