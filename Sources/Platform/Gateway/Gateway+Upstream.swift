// Gateway: one request to a source over the upstream HTTP client, and the answer's bytes rewritten.

import AsyncHTTPClient
import FHIR
import Foundation
import NIOCore
import Transport
import Words

extension Gateway {
    /// One request to the source within its time limit; its links rewritten to point through the gateway.
    func send(
        _ source: GatewaySource, path: String, query: String, ifNoneMatch: String?, rewrite: Bool
    ) async throws(GatewayDenial) -> Forwarded {
        var request = HTTPClientRequest(url: source.fhir + "/" + path + (query.isEmpty ? "" : "?" + query))
        request.headers.add(name: "Accept", value: "application/fhir+json")
        request.tlsConfiguration = source.tls?.configuration
        if let ifNoneMatch { request.headers.add(name: "If-None-Match", value: ifNoneMatch) }
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await http.execute(request, timeout: .milliseconds(Int64(source.timeoutMs)))
            body = try await response.body.collect(upTo: 64 << 20)
        } catch {
            if let words = TLSWords.reason(for: error) {
                throw GatewayDenial(
                    status: 502, code: "security", reason: "source-certificate",
                    phrase: Phrase(
                        "source-answer.certificate-nothing-sent", ["source": .text(source.name), "problem": .phrase(words)]))
            }
            let timedOut = SourceReader.isTimeout(error)
            throw GatewayDenial(
                status: timedOut ? 504 : 502, code: timedOut ? "timeout" : "transient", reason: "source",
                phrase: timedOut
                    ? Phrase(
                        "source-answer.timeout",
                        ["source": .text(source.name), "reason": .phrase(.timeout(milliseconds: source.timeoutMs))])
                    : Phrase("source-answer.unreachable", ["source": .text(source.name), "error": .text("\(error)")]))
        }
        var headers: [(String, String)] = []
        for name in ["Content-Type", "ETag", "Last-Modified"] {
            if let value = response.headers.first(name: name) { headers.append((name, value)) }
        }
        var bytes = Array(body.readableBytesView)
        if rewrite {
            bytes = Self.replace(
                Array((source.fhir + "/").utf8), with: Array((publicBase + "/sources/\(source.id)/fhir/").utf8), in: bytes)
        }
        return Forwarded(status: Int(response.status.code), headers: headers, body: bytes)
    }

    /// A source's CapabilityStatement as seen through the gateway, which forwards reads and searches one by one:
    /// whole-system interactions (`batch`, `transaction`) the source offers are not offered here.
    static func readsOnly(_ statement: [UInt8]) -> [UInt8] {
        guard case .object(var root)? = try? JSONValue.parse(Data(statement)), case .array(let rests)? = root["rest"]
        else { return statement }
        root["rest"] = .array(
            rests.map { rest in
                guard case .object(var server) = rest else { return rest }
                server["interaction"] = nil
                return .object(server)
            })
        return JSONValue.object(root).serialized()
    }

    /// `bytes` with every occurrence of `pattern` replaced.
    static func replace(_ pattern: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        guard let first = pattern.first, bytes.count >= pattern.count else { return bytes }
        var out: [UInt8] = []
        var index = 0
        var copied = 0
        while index <= bytes.count - pattern.count {
            if bytes[index] == first, bytes[index..<(index + pattern.count)].elementsEqual(pattern) {
                if out.isEmpty { out.reserveCapacity(bytes.count + 256) }
                out += bytes[copied..<index]
                out += replacement
                index += pattern.count
                copied = index
            } else {
                index += 1
            }
        }
        if copied == 0 { return bytes }
        out += bytes[copied...]
        return out
    }
}
