// Gateway: whose data a request is (the patient's CPR number) and whether this user may see it now.

import FHIR
import Foundation
import Words

extension Gateway {
    /// A failed read of the source: 404 when the source says so, 504 when it did not answer in time, 502 otherwise.
    static func denial(_ error: any Error, notFound: Phrase) -> GatewayDenial {
        let failure = error as? SourceReader.Failure
        if failure?.status == 404 || failure?.status == 410 {
            return GatewayDenial(status: 404, code: "not-found", reason: "not-found", phrase: notFound)
        }
        let phrase = failure?.phrase ?? .verbatim("\(error)")
        if failure?.timedOut == true {
            return GatewayDenial(status: 504, code: "timeout", reason: "source", phrase: phrase)
        }
        return GatewayDenial(status: 502, code: "transient", reason: "source", phrase: phrase)
    }

    static let auditorDenied = GatewayDenial.forbidden("role", Phrase("denial.auditor-no-clinical-data"))
    static let researchDenied = GatewayDenial.forbidden("role", Phrase("denial.research-no-clinical-data"))

    /// The refusal of a role that never reads a patient's data (log follow-up, research), nil for the others.
    static func noPatientData(_ role: Identity.Role) -> GatewayDenial? {
        guard !role.readsPatientData else { return nil }
        return role == .logAuditor ? auditorDenied : researchDenied
    }

    enum Subject {
        case one(String)
        case many
    }

    /// Whom a search or a Patient read concerns: one patient (by CPR identifier or by the source's patient id), or
    /// possibly many (a search not limited to a patient: its answer is filtered entry by entry). Reads of other
    /// resources are decided on the resource itself (`read`).
    func subject(
        _ source: GatewaySource, type: String, id: String?, parameters: [(String, String)]
    ) async throws(GatewayDenial) -> Subject {
        func value(_ name: String) -> String? { parameters.first { $0.0 == name }?.1 }
        if type == "Patient" {
            if let id { return .one(try await cpr(source, patientID: id)) }
            if let identifier = value("identifier") {
                let parts = identifier.split(separator: "|", maxSplits: 1).map(String.init)
                guard parts.count == 2, parts[0] == DanishSystems.cpr, !parts[1].contains(",") else { return .many }
                return .one(parts[1].filter(\.isNumber))
            }
            if let ids = value("_id"), !ids.contains(",") { return .one(try await cpr(source, patientID: ids)) }
            return .many
        }
        for name in ["patient", "subject", "patient._id", "subject._id"] {
            if let reference = value(name), !reference.contains(",") {
                return .one(try await cpr(source, patientID: reference))
            }
        }
        return .many
    }

    static func patientReference(_ resource: JSONValue) -> String? {
        for key in ["subject", "patient"] {
            if let reference = resource[key]?["reference"]?.stringValue, reference.contains("Patient/") { return reference }
        }
        for participant in resource["participant"]?.listValue ?? [] {
            if let reference = participant["actor"]?["reference"]?.stringValue, reference.contains("Patient/") {
                return reference
            }
        }
        return nil
    }

    /// The CPR number of a source's patient (`123`, `Patient/123` or an absolute URL); remembered in memory only.
    func cpr(_ source: GatewaySource, patientID reference: String) async throws(GatewayDenial) -> String {
        let id = reference.split(separator: "/").last.map(String.init) ?? reference
        let key = "\(source.id)|\(id)"
        if let known = patientCPRs.withLock({ $0[key] }) { return known }
        let patient: JSONValue
        do {
            patient = try await reader.json(source, "Patient/\(id)")
        } catch {
            throw Self.denial(
                error, notFound: Phrase("denial.patient-not-found", ["id": .text(id), "source": .text(source.name)]))
        }
        guard let cpr = SourceReader.cpr(of: patient) else {
            throw GatewayDenial.forbidden("no-cpr", Phrase("denial.no-cpr"))
        }
        remember(cpr, source: source.id, id: id)
        return cpr
    }

    func remember(_ cpr: String, source: String, id: String) {
        patientCPRs.withLock { all in
            if all.count > 100_000 { all.removeAll() }
            all["\(source)|\(id)"] = cpr
        }
    }

    /// The access decision for one patient, reading relationship and blocks as needed.
    func decide(
        _ identity: Identity, cpr: String, source: GatewaySource, emergencyReason: String?
    ) async
        -> AccessPolicy.Decision
    {
        guard identity.role.isClinician else {
            return AccessPolicy.decide(
                identity: identity, cpr: cpr, dataSector: source.sector, relationship: nil, blocks: [],
                emergencyReason: nil)
        }
        do {
            async let relationship = relationships.relationship(of: identity, to: cpr)
            async let blocks = consents.blocks(cpr: cpr)
            return AccessPolicy.decide(
                identity: identity, cpr: cpr, dataSector: source.sector, relationship: try await relationship,
                blocks: try await blocks, emergencyReason: emergencyReason)
        } catch {
            if let reason = emergencyReason?.trimmingCharacters(in: .whitespacesAndNewlines),
                reason.count >= AccessPolicy.minimumReason
            {
                return .emergency(reason: reason, overrode: "adgangen kunne ikke afgøres (\(error))")
            }
            return .deny(
                GatewayDenial(
                    status: 503, code: "transient", reason: "undecidable",
                    phrase: Phrase("denial.undecidable", ["error": .error(error)])))
        }
    }
}
