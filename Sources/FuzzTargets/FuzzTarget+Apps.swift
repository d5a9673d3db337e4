import FHIR
import Federation
import Foundation
import Platform

extension FuzzTarget {
    /// First byte mod 4: 0 a scope string, 1 a client assertion, 2 a JWKS, 3 an AppStore answer.
    static func smartApps(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        guard let mode = bytes.first else { return }
        let rest = UnsafeRawBufferPointer(rebasing: bytes.dropFirst())
        let text = String(decoding: rest, as: UTF8.self)
        switch mode % 4 {
        case 0:
            guard let scopes = try? SMARTScopes(parsing: text) else { return }
            for scope in scopes.resources {
                let again = SMARTScope(scope.description)
                check.expect(again == scope, "a scope does not read back the same: \(scope.description)")
                check.expect(scope.covers(scope), "a scope does not cover itself: \(scope.description)")
                check.expect(!scope.permissions.isEmpty, "a scope grants nothing: \(scope.description)")
            }
            check.expect(
                (try? SMARTScopes(parsing: scopes.description)) == scopes, "a scope string does not read back the same")
            check.expect(scopes.grant(scopes).refused == nil, "scopes do not grant themselves")
        case 1:
            do {
                let (assertion, alg) = try ClientAssertion.peek(text)
                check.expect(AppRegistration.isClientID(assertion.clientID), "an assertion read an invalid client id")
                check.expect(ClientAssertion.algorithms.contains(alg), "an assertion was read for \(alg)")
                check.expect(!assertion.jti.isEmpty && !assertion.kid.isEmpty, "an assertion without jti or kid was read")
            } catch {
                check.expect(error.error == "invalid_client", "an assertion was refused with \(error.error)")
            }
        case 2:
            if let keys = try? ClientKeys(jwks: text) {
                check.expect(!keys.keys.isEmpty, "a JWKS was read without keys")
            }
        default:
            guard let json = try? JSONValue.parse(Data(rest)) else { return }
            for app in AppListing.catalogue(json) {
                for field in [app.clientID, app.name, app.vendor, app.description] + app.scopes + app.installedBy {
                    check.expect(TextSanitizer.isClean(field), "an AppStore text is not clean for the terminal")
                }
            }
        }
    }
}
