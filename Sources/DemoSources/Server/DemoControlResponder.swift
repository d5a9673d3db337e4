import FHIR
import Foundation
import Hummingbird
import NIOCore

/// `GET /_demo/sources` lists the demo sources with their URLs and faults;
/// `GET|PUT /_demo/sources/{id}/fault` reads or changes one source's faults, e.g.
/// `curl -X PUT -d '{"down":true}' http://127.0.0.1:8100/_demo/sources/hospital/fault`.
struct DemoControlResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let cluster: DemoSourceCluster

    struct SourceStatus: Codable {
        var id: String
        var name: String
        var sector: String
        var fhir: String?
        var listening: Bool
        var fault: FaultSettings
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        let parts = request.uri.path.split(separator: "/").map(String.init)
        do {
            switch (request.method, parts.count) {
            case (.get, 2) where parts == ["_demo", "sources"]:
                var list: [SourceStatus] = []
                for server in cluster.servers { list.append(await status(server)) }
                return try json(list)
            case (_, 4) where parts[0] == "_demo" && parts[1] == "sources" && parts[3] == "fault":
                guard let server = cluster.server(parts[2]) else {
                    return message(.notFound, "Ukendt kilde '\(parts[2])'")
                }
                if request.method == .put || request.method == .post {
                    var request = request
                    let body = try await request.collectBody(upTo: 64 * 1024)
                    let settings: FaultSettings
                    do {
                        settings = try JSONDecoder().decode(FaultSettings.self, from: Data(body.readableBytesView))
                    } catch {
                        return message(.badRequest, "Ugyldige fejlindstillinger: \(error)")
                    }
                    try await server.setFaults(settings)
                } else if request.method != .get {
                    return message(.methodNotAllowed, "Brug GET eller PUT")
                }
                return try json(await status(server))
            default:
                return message(.notFound, "Ukendt sti. Brug /_demo/sources og /_demo/sources/{id}/fault")
            }
        } catch is NIOTooManyBytesError {
            return message(.contentTooLarge, "Forespørgslen er for stor")
        } catch let error as HTTPError {
            return message(error.status, error.status == .contentTooLarge ? "Forespørgslen er for stor" : "Ugyldig forespørgsel")
        } catch {
            return message(.internalServerError, "\(error)")
        }
    }

    private func status(_ server: DemoSourceServer) async -> SourceStatus {
        SourceStatus(
            id: server.id, name: server.name, sector: server.sector, fhir: await server.baseURL,
            listening: await server.isRunning, fault: server.faults.current)
    }

    private func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(
            status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: Array(try encoder.encode(value)))))
    }

    /// An error as an OperationOutcome (what every server of the platform answers errors with).
    private func message(_ status: HTTPResponse.Status, _ text: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/fhir+json; charset=utf-8"
        let code = status == .notFound ? "not-found" : status.code >= 500 ? "exception" : "invalid"
        let outcome = OperationOutcome(severity: "error", code: code, diagnostics: TextSanitizer.cleanLine(text, maxLength: 500))
        let body = (try? FHIRJSON.encode(outcome)) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: Array(body))))
    }
}
