// Gateway: the access log, written before any data leaves and read back as AuditEvents.

import FHIR
import Logging
import Words

extension Gateway {
    /// Writes the audit entry of a decision; throws the denial after logging it, and a 503 when the log cannot be
    /// written (then nothing is served).
    func log(
        _ identity: Identity, _ client: String?, cpr: String, source: GatewaySource, types: [String], action: String,
        decision: AccessPolicy.Decision
    ) async throws(GatewayDenial) {
        let entry: AuditEntry
        switch decision {
        case .permit(let purpose, _):
            entry = AuditEntry(
                identity: identity, patientCPR: cpr, sourceID: source.id, resourceTypes: types, action: action,
                purpose: purpose, outcome: "success", reason: nil, emergency: false, client: client)
        case .emergency(let reason, _):
            entry = AuditEntry(
                identity: identity, patientCPR: cpr, sourceID: source.id, resourceTypes: types, action: action,
                purpose: "EMERGENCY", outcome: "success", reason: reason, emergency: true, client: client)
        case .deny(let denial):
            entry = AuditEntry(
                identity: identity, patientCPR: cpr, sourceID: source.id, resourceTypes: types, action: action,
                purpose: identity.role == .citizen ? "PATRQT" : "TREAT",
                outcome: denial.reason == "blocked-by-patient" ? "withheld" : "denied", reason: denial.reason,
                emergency: false, client: client)
        }
        try await append(entry)
        if case .deny(let denial) = decision { throw denial }
    }

    /// Appends an entry to the chain (and tells the checkpoints); a 503 when the log cannot be written.
    func append(_ entry: AuditEntry) async throws(GatewayDenial) {
        do {
            checkpoints.appended(try await storage.appendAudit(entry))
        } catch {
            logger.error("Adgangsloggen kan ikke skrives: \(error)")
            throw GatewayDenial(
                status: 503, code: "transient", reason: "audit-unavailable", phrase: Phrase("denial.audit-unwritable"))
        }
    }

    /// Audit entries as AuditEvents: a citizen their own, log follow-up anyone's; nobody else.
    /// `app`: only the accesses through that app (its client id), for log follow-up per app.
    public func auditEvents(
        identity: Identity, patient: String?, emergencyOnly: Bool, app: String? = nil, limit: Int
    ) async throws(GatewayDenial) -> JSONValue {
        // An app reads no access log: the log is the citizen's and the auditors'.
        if let actor = identity.app {
            let scope = SMARTScope(context: .user, resourceType: "AuditEvent", permissions: .search).description
            throw .forbidden("scope", Phrase("denial.app-scope-missing", ["scope": .text(scope), "app": .text(actor.name)]))
        }
        switch identity.role {
        case .citizen:
            guard let own = identity.cpr, patient == nil || patient == own else {
                throw .forbidden("not-own-data", Phrase("denial.citizen-own-log"))
            }
            return try await entries(patient: own, emergencyOnly: emergencyOnly, app: app, limit: limit).json
        case .logAuditor:
            let (json, patients) = try await entries(
                patient: patient, emergencyOnly: emergencyOnly, app: app, limit: limit)
            // Reading a citizen's log is itself an access the citizen sees in their log, written before the log leaves.
            for cpr in patients.sorted() {
                try await log(
                    identity, nil, cpr: cpr, source: Self.accessLogSource, types: ["AuditEvent"], action: "read",
                    decision: .permit(purpose: "HOPERAT", basis: "log follow-up"))
            }
            return json
        default:
            throw .forbidden("role", Phrase("denial.access-log-roles"))
        }
    }

    /// The access log itself as the "source" of a log read (its entries name it `access-log`).
    static let accessLogSource = GatewaySource(
        id: "access-log", name: "Adgangsloggen", sector: "other", fhir: "-", kind: .preferences)

    /// The entries as a searchset, newest first, and the patients they are about.
    private func entries(
        patient: String?, emergencyOnly: Bool, app: String?, limit: Int
    ) async throws(GatewayDenial) -> (json: JSONValue, patients: Set<String>) {
        do {
            var all: [AuditEntry] = []
            var after: Int64 = 0
            while true {
                let page = try await storage.auditEntries(
                    patient: patient, emergencyOnly: emergencyOnly, after: after, limit: 1000)
                all += app.map { app in page.filter { $0.appID == app } } ?? page
                guard let last = page.last, page.count == 1000 else { break }
                after = last.sequence
            }
            // Newest first, as a log is read.
            let kept = all.suffix(limit)
            let shown = kept.reversed().map(AuditEventResource.resource)
            return (
                FHIRResponse.searchset(Array(shown), selfURL: publicBase + "/AuditEvent"),
                Set(kept.compactMap(\.patientCPR))
            )
        } catch {
            throw GatewayDenial(
                status: 503, code: "transient", reason: "audit-unavailable",
                phrase: Phrase("denial.audit-unreadable", ["error": .error(error)]))
        }
    }
}
