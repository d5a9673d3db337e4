import AsyncHTTPClient
import FHIR
import Foundation
import NIOCore
import NIOHTTP1
import Transport
import Words

/// GETs FHIR JSON from a source over AsyncHTTPClient, with a deadline, conditional requests, and every failure turned
/// into a `FetchFailure` that says what happened.
public struct FHIRHTTPClient: Sendable {
    public let http: HTTPClient
    /// Through a gateway: the session whose token goes with every request.
    public let login: GatewayLogin?
    /// What `http` trusts (to say in words why a certificate was not accepted).
    public let trust: ClientTLS
    public static let maxBodyBytes = 64 << 20

    public init(http: HTTPClient, login: GatewayLogin? = nil, trust: ClientTLS = .system) {
        self.http = http
        self.login = login
        self.trust = trust
    }

    /// An AsyncHTTPClient configured for sources: a refused connection fails at once (the default retries until the
    /// deadline), redirects are followed a few times, connections are pooled per source, up to 32 at once per host
    /// (the default 8 would queue an overview's searches: nine types per source, and through a gateway every source
    /// is the same host).
    ///
    /// Certificates are verified against `trust` (the system store, or the CA bundles of `--ca` and the registry's
    /// `ca`); plain `http://` URLs work only when the user gave them.
    public static func makeHTTPClient(trust: ClientTLS = .system) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = trust.configuration
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
        // Closed here before a server's idle timeout (a node's and the demo sources': 10 s) can close one under a
        // request ("connection reset by peer").
        configuration.connectionPool.idleTimeout = .seconds(4)
        configuration.timeout.connect = .seconds(3)
        configuration.redirectConfiguration = .follow(max: 3, allowCycles: false)
        configuration.decompression = .enabled(limit: .ratio(50))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public enum Answer: Sendable {
        /// 200 with the parsed JSON, already sanitized (`JSONValue.sanitized`), and the ETag, if any.
        case ok(JSONValue, etag: String?)
        /// 304: what we have is still current.
        case notModified(etag: String?)
    }

    /// - Parameter cpr: the patient the request is about (for emergency-access headers through a gateway).
    public func get(
        _ url: String, ifNoneMatch: String? = nil, deadline: NIODeadline, cpr: String? = nil
    ) async throws(FetchFailure) -> Answer {
        try await send(url, body: nil, ifNoneMatch: ifNoneMatch, deadline: deadline, cpr: cpr)
    }

    /// A FHIR resource POSTed to `url` (a `batch` Bundle to the base), answered like `get`.
    public func post(
        _ url: String, body: [UInt8], deadline: NIODeadline, cpr: String? = nil
    ) async throws(FetchFailure) -> Answer {
        try await send(url, body: body, ifNoneMatch: nil, deadline: deadline, cpr: cpr)
    }

    private func send(
        _ url: String, body requestBody: [UInt8]?, ifNoneMatch: String?, deadline: NIODeadline, cpr: String?
    ) async throws(FetchFailure) -> Answer {
        var renewed = false
        var url = login?.route(url) ?? url
        var failovers = 0
        while true {
            var request = HTTPClientRequest(url: url)
            request.method = .GET
            if let requestBody {
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/fhir+json")
                request.body = .bytes(ByteBuffer(bytes: requestBody))
            }
            request.headers.add(name: "Accept", value: "application/fhir+json, application/json;q=0.9")
            request.headers.add(name: "User-Agent", value: "Overblik/1.0")
            if let ifNoneMatch { request.headers.add(name: "If-None-Match", value: ifNoneMatch) }
            if let login {
                request.headers.add(name: "Authorization", value: "Bearer \(try await login.token(renew: renewed))")
                for (name, value) in login.headers(cpr: cpr) { request.headers.add(name: name, value: value) }
            }
            let response: HTTPClientResponse
            let body: ByteBuffer
            do {
                response = try await http.execute(request, deadline: deadline)
                body = try await response.body.collect(upTo: Self.maxBodyBytes)
            } catch {
                var failure = Self.failure(for: error)
                if failure.kind == .certificate, let diagnosed = await TLSDiagnosis.diagnose(url: url, trust: trust) {
                    failure = FetchFailure(.certificate, diagnosed)
                }
                // A gateway node that does not answer (or cannot log, 503 below): the next node, if there is one.
                if failure.kind == .unreachable, let login, failovers + 1 < login.gatewayURLs.count, login.failover(from: url) {
                    failovers += 1
                    url = login.route(url)
                    continue
                }
                throw failure
            }
            if response.status == .serviceUnavailable, let login, failovers + 1 < login.gatewayURLs.count,
                login.failover(from: url)
            {
                failovers += 1
                url = login.route(url)
                continue
            }
            if response.status == .unauthorized, login?.userID != nil, !renewed {
                renewed = true
                continue
            }
            return try answer(response, body)
        }
    }

    private func answer(_ response: HTTPClientResponse, _ body: ByteBuffer) throws(FetchFailure) -> Answer {
        let etag = response.headers.first(name: "ETag")
        if response.status == .notModified { return .notModified(etag: etag) }
        let contentType = response.headers.first(name: "Content-Type")?.lowercased() ?? ""
        guard response.status == .ok else {
            let bytes = Data(body.readableBytesView)
            var reason = Phrase(
                "failure.http",
                [
                    "status": .text(
                        "\(response.status.code) \(TextSanitizer.cleanLine(response.status.reasonPhrase, maxLength: 60))")
                ])
            let outcome = contentType.contains("json") ? try? FHIRJSON.decode(OperationOutcome.self, from: bytes) : nil
            if response.status == .forbidden, let outcome {
                // The gateway's refusal: its reason, in Danish (diagnostics) and English (details.text).
                let issue = outcome.issue.first
                let danish = TextSanitizer.cleanLine(issue?.diagnostics ?? outcome.message, maxLength: 300)
                let english = issue?.details?.text.map { TextSanitizer.cleanLine($0, maxLength: 300) }
                let withheld = outcome.issue.contains { $0.code == "suppressed" }
                throw FetchFailure(
                    withheld ? .withheld : .denied, .translated(danish: danish, english: english), httpStatus: 403)
            }
            if response.status == .tooManyRequests {
                let wait = response.headers.first(name: "Retry-After").flatMap { Int($0) }
                throw FetchFailure(
                    .http,
                    wait.map { Phrase("failure.throttled-wait", ["seconds": .integer($0)]) } ?? Phrase("failure.throttled"),
                    httpStatus: 429)
            }
            if let outcome {
                reason = Phrase(
                    "failure.with-outcome",
                    ["reason": .phrase(reason), "text": .text(TextSanitizer.cleanLine(outcome.message, maxLength: 300))])
            }
            throw FetchFailure(.http, reason, httpStatus: Int(response.status.code))
        }
        guard contentType.contains("json") else {
            let type = TextSanitizer.cleanLine(String(contentType.split(separator: ";").first ?? ""), maxLength: 80)
            throw FetchFailure(
                .notFHIR, type.isEmpty ? Phrase("failure.no-content-type") : Phrase("failure.content-type", ["type": .text(type)])
            )
        }
        do {
            // Parsed and sanitized in one pass, straight from the response buffer.
            return .ok(try body.withUnsafeReadableBytes { try JSONValue.parseSanitized($0) }, etag: etag)
        } catch {
            throw FetchFailure(.malformed, "failure.bad-json", ["bytes": .integer(body.readableBytes)])
        }
    }

    static func failure(for error: any Error) -> FetchFailure {
        if let words = TLSWords.reason(for: error) { return FetchFailure(.certificate, words) }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .getConnectionFromPoolTimeout:
                return FetchFailure(.timeout, "failure.late")
            case .remoteConnectionClosed:
                return FetchFailure(.unreachable, "failure.closed")
            default:
                return FetchFailure(
                    .unreachable, "failure.unreachable", ["error": .text(TextSanitizer.cleanLine("\(error)", maxLength: 200))])
            }
        }
        if error is CancellationError { return FetchFailure(.timeout, "failure.cancelled") }
        if error is NIOTooManyBytesError {
            return FetchFailure(.malformed, "failure.too-big", ["megabytes": .integer(maxBodyBytes >> 20)])
        }
        let text = String(describing: error)
        if text.contains("connectTimeout") { return FetchFailure(.timeout, "failure.late") }
        if text.lowercased().contains("refused") || text.contains("ECONNREFUSED") {
            return FetchFailure(.unreachable, "failure.refused")
        }
        return FetchFailure(.unreachable, "failure.unreachable", ["error": .text(TextSanitizer.cleanLine(text, maxLength: 200))])
    }
}
