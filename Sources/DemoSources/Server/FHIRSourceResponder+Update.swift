import FHIR
import Foundation
import HTTPTypes
import Hummingbird

// FHIRSourceResponder: `PUT [base]/[type]/[id]`, FHIR's update, for the types a source takes writes of (the
// citizens' preferences source takes their records, a CPR number only, and their Consent resources; every other
// source is read-only).

extension FHIRSourceResponder {
    static let maxUpdateBytes = 64 << 10

    /// Stores the body as the resource's new version (or its first) and announces the change, when the body is a
    /// valid resource of `type` with the URL's `id` about a patient this source has. Answers 200 (or 201 for a
    /// first version) with the stored resource, its `ETag` and `Location`.
    func update(type: String, id: String, request: Request, base: String) async throws -> Answer {
        guard let write, writableTypes.contains(type) else {
            throw FHIRError(status: 405, code: "not-supported", "PUT \(type) understøttes ikke; kilden kan kun læses")
        }
        guard FHIRID.isValid(id) else { throw FHIRError.invalid("'\(id)' er ikke et gyldigt id") }
        var request = request
        let body = try await request.collectBody(upTo: Self.maxUpdateBytes)
        let json: JSONValue
        do { json = try JSONValue.parse(Data(buffer: body)) } catch {
            throw FHIRError.invalid("Ressourcen er ikke gyldig JSON")
        }
        guard json["resourceType"]?.stringValue == type else {
            throw FHIRError.invalid("Ressourcen skal være af typen \(type)")
        }
        // FHIR: the id in the body must be the id in the URL.
        guard json["id"]?.stringValue == id else {
            throw FHIRError.invalid("Ressourcens id skal være '\(id)' som i adressen")
        }
        let resource: AnyResource
        do { resource = try JSONDecoder().decode(AnyResource.self, from: Data(json.serialized())) } catch {
            throw FHIRError.invalid("Ressourcen kan ikke læses: \(AnyResource.describe(error))")
        }
        let problems = ResourceValidator.problems(in: resource)
        guard problems.isEmpty else { throw FHIRError.invalid(problems.prefix(5).joined(separator: "; ")) }
        if type == "Patient" {
            // A citizen's record here is their CPR number and nothing else.
            let cprs = (json["identifier"]?.listValue ?? []).filter { $0["system"]?.stringValue == DanishSystems.cpr }
            guard cprs.count == 1, let value = cprs[0]["value"]?.stringValue, (try? CPRNumber(value)) != nil else {
                throw FHIRError(status: 422, code: "processing", "Patienten skal have netop ét gyldigt CPR-nummer")
            }
        } else {
            // A preference is about one of this source's patients.
            let patient = json["patient"]?["reference"]?.stringValue ?? json["subject"]?["reference"]?.stringValue ?? ""
            let parts = patient.split(separator: "/")
            guard parts.count == 2, parts[0] == "Patient", store.read(type: "Patient", id: String(parts[1])) != nil else {
                throw FHIRError(
                    status: 422, code: "processing", "Ressourcen skal henvise til en patient hos \(sourceName) (Patient/id)")
            }
        }
        var clean = json
        if case .object(var object) = clean {
            // The source stamps the version; a client's own meta is not kept.
            object["meta"] = nil
            clean = .object(object)
        }
        let first = store.read(type: type, id: id) == nil
        let stored = try write(clean)
        var headers = HTTPFields()
        headers[.eTag] = stored.etag
        headers[.lastModified] = Self.httpDate(stored.lastUpdated.lowerBound)
        headers[.location] = "\(base)/\(type)/\(id)/_history/\(stored.versionId)"
        headers[.contentType] = Self.fhirJSON
        return Answer(status: first ? .created : .ok, headers: headers, body: stored.bytes)
    }
}
