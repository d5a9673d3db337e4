import FHIR
import Foundation
import Platform
import Research
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

/// The public list of research projects on the node: no token needed, every project with its owner, purpose, data,
/// status and queries; never a pseudonym or a key.
extension GatewayTests {
    @Test func theResearchProjectsAreListedForEveryone() async throws {
        try await GatewayHarness.with { h in
            let store = try #require(h.server.services.compactMap { $0 as? ResearchService }.first).store
            try store.apply(
                ResearchProject(
                    id: "kol-akut", title: "Akutte ankomster ved KOL", purpose: "Udviklingen i akutte ankomster",
                    legalBasis: "Sundhedsloven § 46", organization: "Region Hovedstaden", applicant: "Forsker Testesen",
                    data: DataRequest(types: ["Condition"], codes: ["Condition": ["DJ44"]])))
            try store.decide("kol-akut", approve: true, by: "Dataansvarlig Test", reason: nil)
            let answer = try await h.send("/research/projects")
            #expect(answer.status == 200, "\(answer.text)")
            let project = answer.json?["projects"]?.listValue.first
            #expect(project?["id"]?.stringValue == "kol-akut" && project?["status"]?.stringValue == "approved")
            #expect(project?["organization"]?.stringValue == "Region Hovedstaden" && project?["queries"] == .number(0))
            #expect(project?["approved"]?.stringValue != nil)
            #expect(!answer.text.contains("Forsker Testesen"), "the applicant's own name is not published")
        }
    }
}
