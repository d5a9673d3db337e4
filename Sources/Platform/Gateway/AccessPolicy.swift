import Foundation
import Words

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

    /// Why data blocked by the patient is not shown.
    public static let withheld = Phrase("denial.blocked-by-patient")
    public static var withheldDanish: String { Catalog.danish.text(withheld) }
    public static var withheldEnglish: String { Catalog.english.text(withheld) }

    public static func decide(
        identity: Identity, cpr: String, dataSector: String, relationship: Relationship?, blocks: [ConsentBlock],
        emergencyReason: String?
    ) -> Decision {
        switch identity.role {
        case .citizen:
            if identity.cpr == cpr { return .permit(purpose: "PATRQT", basis: "egne data") }
            return .deny(.forbidden("not-own-data", Phrase("denial.citizen-own-data")))
        case .logAuditor, .researcher, .dataController:
            return .deny(Gateway.noPatientData(identity.role) ?? Gateway.auditorDenied)
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
                .forbidden("emergency-reason", Phrase("denial.emergency-reason-short", ["minimum": .integer(minimumReason)])))
        }
        if block != nil {
            return .deny(
                GatewayDenial(status: 403, code: "suppressed", reason: "blocked-by-patient", phrase: withheld))
        }
        return .deny(.forbidden("no-relationship", Phrase("denial.no-relationship")))
    }
}
