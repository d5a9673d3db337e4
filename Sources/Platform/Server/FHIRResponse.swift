import FHIR
import Foundation
import HTTPTypes
import Hummingbird
import Words

/// FHIR JSON responses.
enum FHIRResponse {
    static let contentType = "application/fhir+json; charset=utf-8"

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: value.serialized())))
    }

    static func encodable<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? FHIRJSON.encode(value)) ?? Data("{}".utf8)
        return Response(
            status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(_ error: PlatformError) -> Response {
        encodable(error.outcome, status: .init(code: error.status))
    }

    /// An OperationOutcome of severity `information`: Danish diagnostics, English details.text, the message id.
    static func information(_ phrase: Phrase) -> Response {
        var issue = OperationOutcome.Issue(
            severity: "information", code: "informational", diagnostics: Catalog.danish.text(phrase))
        issue.details = CodeableConcept(
            coding: [Coding(system: FHIRError.messageSystem, code: phrase.id)], text: Catalog.english.text(phrase))
        return encodable(OperationOutcome(issue: [issue]))
    }

    static func searchset(_ resources: [JSONValue], selfURL: String) -> JSONValue {
        .object([
            "resourceType": .string("Bundle"),
            "type": .string("searchset"),
            "total": .number(Double(resources.count)),
            "link": .array([.object(["relation": .string("self"), "url": .string(selfURL)])]),
            "entry": .array(resources.map { .object(["resource": $0, "search": .object(["mode": .string("match")])]) }),
        ])
    }
}
