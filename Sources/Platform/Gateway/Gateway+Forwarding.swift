// Gateway: a FHIR read or search taken apart, decided on and passed to the source (or to the patient filter).

import FHIR
import Foundation
import Words

extension Gateway {
    /// Forwards a FHIR read or search (`path` after `.../fhir/`, `query` without `?`) under the access policy.
    public func forward(
        identity: Identity, client: String?, sourceID: String, path: String, query: String, emergencyReason: String?,
        ifNoneMatch: String?
    ) async throws(GatewayDenial) -> Forwarded {
        guard let source = source(sourceID), source.kind == .clinical else {
            let known = sources.filter { $0.kind == .clinical }.map(\.id).joined(separator: ", ")
            throw GatewayDenial(
                status: 404, code: "not-found", reason: "unknown-source",
                phrase: Phrase("denial.unknown-source", ["source": .text(sourceID), "known": .text(known)]))
        }
        let parts = path.split(separator: "/").map(String.init)
        guard let type = parts.first else {
            throw GatewayDenial(
                status: 400, code: "not-supported", reason: "path", phrase: Phrase("denial.resource-type-missing"))
        }
        if type == "metadata" {
            if let denial = Self.noPatientData(identity.role) { throw denial }
            var forwarded = try await send(source, path: path, query: query, ifNoneMatch: ifNoneMatch, rewrite: true)
            if forwarded.status == 200 { forwarded.body = Self.readsOnly(forwarded.body) }
            return forwarded
        }
        guard parts.count <= 2, Self.isResourceType(type), parts.count < 2 || Self.isFHIRID(parts[1]) else {
            throw GatewayDenial(
                status: 400, code: "not-supported", reason: "path",
                phrase: Phrase(
                    "denial.path-not-forwarded", ["path": .text(TextSanitizer.cleanLine(path, maxLength: 120))]))
        }
        let pairs = QueryString.parse(query)
        let parameters = pairs.map { ($0.name, $0.value) }
        // The source gets the query as the gateway read it: decided on one reading, answered on the same.
        let query = QueryString.encode(pairs)
        let action = parts.count == 2 ? "read" : "search"
        if parts.count == 2, type != "Patient" {
            return try await read(
                identity, client, source: source, path: path, type: type, parameters: parameters,
                emergencyReason: emergencyReason)
        }
        switch try await subject(source, type: type, id: parts.count == 2 ? parts[1] : nil, parameters: parameters) {
        case .one(let cpr):
            try await admitApp(identity, client, source: source, type: type, action: action, parameters: parameters, cpr: cpr)
            let decision = await decide(identity, cpr: cpr, source: source, emergencyReason: emergencyReason)
            try await log(identity, client, cpr: cpr, source: source, types: [type], action: action, decision: decision)
            return try await send(source, path: path, query: query, ifNoneMatch: ifNoneMatch, rewrite: true)
        case .many:
            if let denial = Self.noPatientData(identity.role) { throw denial }
            try await admitApp(identity, client, source: source, type: type, action: action, parameters: parameters, cpr: nil)
            // A count across patients would tell about patients the user may not see.
            if parameters.contains(where: { ($0.0 == "_summary" && $0.1 == "count") || ($0.0 == "_count" && $0.1 == "0") }) {
                throw GatewayDenial.forbidden("count", Phrase("denial.count-across-patients"))
            }
            var answer = try await send(source, path: path, query: query, ifNoneMatch: nil, rewrite: true)
            guard answer.status == 200 else { return answer }
            answer = try await filter(answer, identity: identity, client: client, source: source, action: action)
            return answer
        }
    }

    /// A FHIR resource type name (`Patient`): a capital letter, then letters, at most 64.
    static func isResourceType(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, ("A"..."Z").contains(first), text.unicodeScalars.count <= 64 else {
            return false
        }
        return text.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) || ("a"..."z").contains($0) }
    }

    /// A FHIR id: 1 to 64 of `A-Z a-z 0-9 - .`.
    static func isFHIRID(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        return (1...64).contains(scalars.count)
            && scalars.allSatisfy {
                ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "."
            }
    }

    /// A read of a resource that is not a Patient: whose it is, is in the resource, so it is fetched once (without
    /// `If-None-Match`, the body is needed), decided and logged before anything is returned. A resource of no patient
    /// (an Organization) passes; the source's own errors (404) pass as they are.
    func read(
        _ identity: Identity, _ client: String?, source: GatewaySource, path: String, type: String,
        parameters: [(String, String)], emergencyReason: String?
    ) async throws(GatewayDenial) -> Forwarded {
        if let denial = Self.noPatientData(identity.role) { throw denial }
        // An app without any read of this type is refused before the source is asked; with a `patient/` scope,
        // again once the resource's patient is known.
        if identity.app != nil,
            await appDenial(identity, source: source, type: type, .read, parameters: parameters, cpr: identity.app?.patient)
                != nil
        {
            try await admitApp(identity, client, source: source, type: type, action: "read", parameters: parameters, cpr: nil)
        }
        let answer = try await send(source, path: path, query: "", ifNoneMatch: nil, rewrite: true)
        guard answer.status == 200, let resource = try? JSONValue.parse(Data(answer.body)),
            let reference = Self.patientReference(resource)
        else { return answer }
        let cpr = try await cpr(source, patientID: reference)
        try await admitApp(identity, client, source: source, type: type, action: "read", parameters: parameters, cpr: cpr)
        let decision = await decide(identity, cpr: cpr, source: source, emergencyReason: emergencyReason)
        try await log(identity, client, cpr: cpr, source: source, types: [type], action: "read", decision: decision)
        return answer
    }
}
