// Gateway: a citizen's opt-out of secondary use (EHDS art. 71), read from and written to the preferences sources.

import AsyncHTTPClient
import FHIR
import Foundation
import NIOCore
import Transport
import Words

extension Gateway {
    /// Whether the citizen has opted out of secondary use now, by the preferences sources. One that cannot be read is
    /// an error: the analysis platform then asks again, rather than keep data it may not.
    public func researchOptOut(cpr: String) async throws -> Bool {
        var consents: [JSONValue] = []
        for source in sources where source.kind == .preferences {
            for patient in try await reader.patients(source, cpr: cpr) {
                guard let id = patient["id"]?.stringValue else { continue }
                consents += try await reader.search(source, "Consent?patient=\(id)")
            }
        }
        return ResearchOptOut.optedOut(consents)
    }

    /// `GET /me/research-opt-out`: the signed-in citizen's own choice.
    func researchOptOut(of identity: Identity) async throws(GatewayDenial) -> Bool {
        let cpr = try Self.citizen(identity)
        do {
            return try await researchOptOut(cpr: cpr)
        } catch {
            throw Self.preferencesUnavailable(error)
        }
    }

    /// `PUT /me/research-opt-out`: the signed-in citizen opts out of secondary use (`optOut`), or withdraws it.
    /// Written to the first preferences source as a Consent (and the citizen's record there, their CPR number only,
    /// when they have none yet); the source announces it, and the analysis platform removes them from every
    /// project's data when the event reaches it.
    func setResearchOptOut(_ optOut: Bool, for identity: Identity) async throws(GatewayDenial) {
        let cpr = try Self.citizen(identity)
        guard let source = sources.first(where: { $0.kind == .preferences }) else {
            throw GatewayDenial(
                status: 503, code: "transient", reason: "preferences", phrase: Phrase("denial.no-preferences-source"))
        }
        do {
            var patient = try await reader.patients(source, cpr: cpr).first?["id"]?.stringValue
            if patient == nil {
                let id = "pref-patient-\(cpr)"
                let record: JSONValue = .object([
                    "resourceType": .string("Patient"), "id": .string(id),
                    "identifier": .array([.object(["system": .string(DanishSystems.cpr), "value": .string(cpr)])]),
                ])
                try await put(source, "Patient/\(id)", record)
                patient = id
            }
            guard let patient else { return }
            let id = ResearchOptOut.id(patient: patient)
            try await put(source, "Consent/\(id)", ResearchOptOut.consent(id: id, patient: patient, active: optOut))
        } catch let denial as GatewayDenial {
            throw denial
        } catch {
            throw Self.preferencesUnavailable(error)
        }
        forget(cpr: cpr)
    }

    private static func citizen(_ identity: Identity) throws(GatewayDenial) -> String {
        // The citizen's own choice, made by the citizen: not by a clinician, nor by an app on their behalf.
        guard identity.role == .citizen, identity.app == nil, let cpr = identity.cpr else {
            throw GatewayDenial(status: 403, code: "forbidden", reason: "role", phrase: Phrase("denial.opt-out-citizens-only"))
        }
        return cpr
    }

    private static func preferencesUnavailable(_ error: any Error) -> GatewayDenial {
        let phrase = (error as? SourceReader.Failure)?.phrase ?? Phrase("source-answer.unreadable-now")
        return GatewayDenial(
            status: 503, code: "transient", reason: "preferences",
            phrase: Phrase("denial.preferences-unavailable", ["problem": .phrase(phrase)]))
    }

    /// FHIR update of one resource at a source, within its time limit.
    private func put(_ source: GatewaySource, _ path: String, _ resource: JSONValue) async throws {
        var request = HTTPClientRequest(url: source.fhir + "/" + path)
        request.method = .PUT
        request.headers.add(name: "Content-Type", value: "application/fhir+json")
        request.headers.add(name: "Accept", value: "application/fhir+json")
        request.tlsConfiguration = source.tls?.configuration
        request.body = .bytes(ByteBuffer(bytes: resource.serialized()))
        let response = try await http.execute(request, timeout: .milliseconds(Int64(source.timeoutMs)))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok || response.status == .created else {
            let outcome = (try? JSONValue.parse(Data(buffer: body)))?["issue"]?.listValue.first?["diagnostics"]?.stringValue
            throw SourceReader.Failure(
                phrase: Phrase(
                    "source-answer.write-refused",
                    [
                        "source": .text(source.name), "status": .integer(Int(response.status.code)),
                        "detail": .text(TextSanitizer.cleanLine(outcome ?? "-", maxLength: 200)),
                    ]),
                status: Int(response.status.code))
        }
    }
}
