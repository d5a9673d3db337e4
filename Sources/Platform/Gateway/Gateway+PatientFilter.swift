// Gateway: a search answer that may span patients, cut down to the patients the user may see.

import FHIR
import Foundation
import Words

extension Gateway {
    /// Drops the entries of patients the user may not see from a multi-patient search answer, logs one entry per
    /// patient shown, and says in an `outcome` entry how many were left out.
    func filter(
        _ answer: Forwarded, identity: Identity, client: String?, source: GatewaySource, action: String
    ) async throws(GatewayDenial) -> Forwarded {
        guard var bundle = try? JSONValue.parse(Data(answer.body)), bundle["resourceType"]?.stringValue == "Bundle" else {
            throw GatewayDenial(
                status: 502, code: "processing", reason: "source-answer",
                phrase: Phrase("source-answer.not-fhir-bundle", ["source": .text(source.name)]))
        }
        let entries = bundle["entry"]?.listValue ?? []
        // Learn the CPR numbers of patients in the answer, then fetch those only referenced.
        for entry in entries {
            if let resource = entry["resource"], resource["resourceType"]?.stringValue == "Patient",
                let id = resource["id"]?.stringValue, let cpr = SourceReader.cpr(of: resource)
            {
                remember(cpr, source: source.id, id: id)
            }
        }
        var decisions: [String: AccessPolicy.Decision] = [:]
        var kept: [JSONValue] = []
        var shown: [String: Set<String>] = [:]
        var left = 0
        for entry in entries {
            guard let resource = entry["resource"] else { continue }
            let patientCPR: String?
            if resource["resourceType"]?.stringValue == "Patient" {
                patientCPR = SourceReader.cpr(of: resource)
            } else if let reference = Self.patientReference(resource) {
                patientCPR = try? await cpr(source, patientID: reference)
            } else {
                kept.append(entry)
                continue
            }
            guard let patientCPR else {
                left += 1
                continue
            }
            if decisions[patientCPR] == nil {
                decisions[patientCPR] = await decide(identity, cpr: patientCPR, source: source, emergencyReason: nil)
            }
            switch decisions[patientCPR]! {
            case .permit, .emergency:
                kept.append(entry)
                shown[patientCPR, default: []].insert(resource["resourceType"]?.stringValue ?? "?")
            case .deny:
                left += 1
            }
        }
        for (cpr, types) in shown.sorted(by: { $0.key < $1.key }) {
            try await log(
                identity, client, cpr: cpr, source: source, types: Array(types), action: action, decision: decisions[cpr]!)
        }
        if left > 0 {
            let leftOut = Phrase("denial.entries-left-out", ["count": .integer(left)])
            kept.append(
                .object([
                    "resource": .object([
                        "resourceType": .string("OperationOutcome"),
                        "issue": .array([
                            .object([
                                "severity": .string("information"), "code": .string("suppressed"),
                                "diagnostics": .string(Catalog.danish.text(leftOut)),
                                "details": .object(["text": .string(Catalog.english.text(leftOut))]),
                            ])
                        ]),
                    ]),
                    "search": .object(["mode": .string("outcome")]),
                ]))
        }
        if case .object(var members) = bundle {
            // A count across patients says something about patients the user may not see: never passed on.
            members["total"] = nil
            members["entry"] = .array(kept)
            bundle = .object(members)
        }
        var filtered = answer
        filtered.body = bundle.serialized()
        filtered.headers.removeAll { $0.0.lowercased() == "etag" }
        return filtered
    }
}
