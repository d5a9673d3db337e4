import Foundation

/// The access rules, as one pure function of who asks, about whom, for which source's data, what is known about
/// their relationship and the patient's blocks, and whether they claim emergency access with a reason.
public enum AccessPolicy {
    public enum Decision: Sendable, Equatable {
        /// Serve it; `purpose` is the purpose of use logged (TREAT, PATRQT), `basis` why.
        case permit(purpose: String, basis: String)
        /// Serve it under emergency access (værdispring): logged with the reason and flagged for follow-up.
        case emergency(reason: String, overrode: String)
        case deny(GatewayDenial)
    }

    /// Shortest accepted emergency reason (trimmed).
    public static let minimumReason = 5

    public static let withheldDanish = "Data tilbageholdt efter patientens ønske"
    public static let withheldEnglish = "Data withheld at the patient's request"

    public static func decide(
        identity: Identity, cpr: String, dataSector: String, relationship: Relationship?, blocks: [ConsentBlock],
        emergencyReason: String?
    ) -> Decision {
        switch identity.role {
        case .citizen:
            if identity.cpr == cpr { return .permit(purpose: "PATRQT", basis: "egne data") }
            return .deny(
                .forbidden(
                    "not-own-data", "Som borger kan du kun se dine egne data",
                    "As a citizen you can only see your own data"))
        case .logAuditor:
            return .deny(
                .forbidden(
                    "role", "Logopfølgning giver adgang til adgangsloggen, ikke til journaldata",
                    "Log follow-up gives access to the access log, not to clinical data"))
        case .edDoctor, .gp, .homeNurse, .doctor:
            break
        }
        let requester = identity.role.sector ?? "other"
        let reason = emergencyReason?.trimmingCharacters(in: .whitespacesAndNewlines)
        let hasReason = (reason?.count ?? 0) >= minimumReason
        let block = blocks.first { $0.blocks(data: dataSector, for: requester) }
        let related = relationship?.exists == true
        if related, block == nil {
            return .permit(purpose: "TREAT", basis: relationship?.basis ?? "behandlingsrelation")
        }
        if let reason, hasReason {
            return .emergency(reason: reason, overrode: block != nil ? "patientens spærring" : "manglende behandlingsrelation")
        }
        if emergencyReason != nil {
            return .deny(
                .forbidden(
                    "emergency-reason", "Værdispring kræver en begrundelse på mindst \(minimumReason) tegn",
                    "Emergency access needs a reason of at least \(minimumReason) characters"))
        }
        if block != nil {
            return .deny(
                GatewayDenial(
                    status: 403, code: "suppressed", reason: "blocked-by-patient", danish: withheldDanish,
                    english: withheldEnglish))
        }
        return .deny(
            .forbidden(
                "no-relationship",
                "Ingen aktuel behandlingsrelation til patienten. Ved behov: værdispring med begrundelse (logges)",
                "No current care relationship with the patient. If needed: emergency access with a reason (logged)"))
    }
}
