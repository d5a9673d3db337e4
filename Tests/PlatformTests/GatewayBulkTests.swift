import FHIR
import Foundation
import Platform
import Testing

/// Bulk export is the analysis platform's, straight from the sources with its own credential: the clinical gateway
/// never passes an `$export` on, whoever asks (a clinician, an app, the log auditor).
extension GatewayTests {
    @Test func theGatewayNeverPassesABulkExportOn() async throws {
        try await GatewayHarness.with { h in
            for user in ["akutlaege", "egen-laege", "logopfoelgning"] {
                let auth = [("Authorization", "Bearer \(try await h.token(user))"), ("Prefer", "respond-async")]
                for path in ["$export", "Patient/$export", "Group/alle/$export", "$export-status/x", "$export-file/x/y"] {
                    let answer = try await h.send("/sources/hospital/fhir/\(path)", headers: auth)
                    #expect([400, 403].contains(answer.status), "\(user) \(path): \(answer.status) \(answer.text)")
                    #expect(answer.json?["resourceType"]?.stringValue == "OperationOutcome")
                }
            }
        }
    }
}
