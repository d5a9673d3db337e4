import AsyncHTTPClient
import FHIR
import Foundation
import NIOCore
import Transport
import Words

/// The gateway's own reads from sources (to resolve whom a request concerns, to find care relationships and the
/// patient's blocks): FHIR JSON with the source's time limit; a failure says which source and what happened.
struct SourceReader: Sendable {
    let http: HTTPClient

    struct Failure: Error, CustomStringConvertible, Phrased {
        /// What happened, `source-answer.*`.
        let phrase: Phrase
        /// The source's HTTP status, nil when it did not answer (down, timed out).
        var status: Int? = nil
        var timedOut = false

        /// In Danish, for the log and for `/sources`.
        var description: String { phrase.danish }
    }

    func json(_ source: GatewaySource, _ path: String) async throws -> JSONValue {
        let url = source.fhir + "/" + path
        do {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Accept", value: "application/fhir+json")
            request.tlsConfiguration = source.tls?.configuration
            let response = try await http.execute(request, timeout: .milliseconds(Int64(source.timeoutMs)))
            let body = try await response.body.collect(upTo: 32 << 20)
            guard response.status == .ok else {
                throw Failure(
                    phrase: Phrase(
                        "source-answer.http-status",
                        ["source": .text(source.name), "status": .integer(Int(response.status.code))]),
                    status: Int(response.status.code))
            }
            return try JSONValue.parse(Data(buffer: body))
        } catch let failure as Failure {
            throw failure
        } catch {
            if let words = TLSWords.reason(for: error) {
                throw Failure(
                    phrase: Phrase("source-answer.certificate", ["source": .text(source.name), "problem": .phrase(words)]))
            }
            let timedOut = Self.isTimeout(error)
            throw Failure(
                phrase: timedOut
                    ? Phrase(
                        "source-answer.timeout",
                        ["source": .text(source.name), "reason": .phrase(.timeout(milliseconds: source.timeoutMs))])
                    : Phrase("source-answer.unreadable", ["source": .text(source.name), "error": .text("\(error)")]),
                timedOut: timedOut)
        }
    }

    /// All entries' resources of a search (following `next` links on the same server, at most 20 pages).
    func search(_ source: GatewaySource, _ path: String) async throws -> [JSONValue] {
        var resources: [JSONValue] = []
        var next: String? = path
        var pages = 0
        while let current = next, pages < 20 {
            pages += 1
            let bundle = try await json(source, current)
            guard bundle["resourceType"]?.stringValue == "Bundle" else {
                throw Failure(phrase: Phrase("source-answer.not-bundle", ["source": .text(source.name)]))
            }
            resources += (bundle["entry"]?.listValue ?? []).compactMap { $0["resource"] }
            next = nil
            if let link = bundle["link"]?.listValue.first(where: { $0["relation"]?.stringValue == "next" })?["url"]?
                .stringValue, link.hasPrefix(source.fhir + "/")
            {
                next = String(link.dropFirst(source.fhir.count + 1))
            }
        }
        return resources
    }

    /// The source's patients with this CPR number.
    func patients(_ source: GatewaySource, cpr: String) async throws -> [JSONValue] {
        let identifier = QueryString.encodeComponent("\(DanishSystems.cpr)|\(cpr)")
        return try await search(source, "Patient?identifier=\(identifier)").filter {
            $0["resourceType"]?.stringValue == "Patient" && Self.cpr(of: $0) == cpr
        }
    }

    /// Whether a request failed because its time limit ran out (the one test for it in the platform).
    static func isTimeout(_ error: any Error) -> Bool {
        guard let error = error as? HTTPClientError else { return false }
        switch error {
        case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .getConnectionFromPoolTimeout,
            .tlsHandshakeTimeout:
            return true
        default:
            return false
        }
    }

    static func cpr(of patient: JSONValue) -> String? {
        for identifier in patient["identifier"]?.listValue ?? [] where identifier["system"]?.stringValue == DanishSystems.cpr {
            if let value = identifier["value"]?.stringValue { return value.filter(\.isNumber) }
        }
        return nil
    }
}
