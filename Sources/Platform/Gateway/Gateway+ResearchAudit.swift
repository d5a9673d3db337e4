// Gateway: the analysis platform's uses in the access log (research queries, decisions on projects).

import FHIR

extension Gateway {
    /// The access log's name for the analysis platform (`sourceID` of its entries).
    public static let analysisPlatform = "analysis-platform"

    /// Writes the entry of one use of the analysis platform, before its answer leaves: who, for which project
    /// (`reason`: `project <id>`, and the refusal's code when refused), which data (resource types), about no single
    /// patient (purpose HRESCH, healthcare research). When the log cannot be written, nothing is answered.
    public func logResearch(
        _ identity: Identity, client: String?, project: String, types: [String], action: String, refusal: String? = nil
    ) async throws(GatewayDenial) {
        let entry = AuditEntry(
            identity: identity, patientCPR: nil, sourceID: Self.analysisPlatform, resourceTypes: types, action: action,
            purpose: "HRESCH", outcome: refusal == nil ? "success" : "denied",
            reason: "project \(project)" + (refusal.map { ": \($0)" } ?? ""), emergency: false, client: client)
        try await append(entry)
    }
}
