import DemoSources
import FHIR
import Foundation
import Platform

extension FuzzTarget {
    /// `TokenAuthority.verify`. First byte even: the rest is the token as a client sends it. Odd: the rest is the
    /// claims, signed with the authority's key, so that reading the claims is reached too.
    static func jwt(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        guard let mode = bytes.first else { return }
        let rest = UnsafeRawBufferPointer(rebasing: bytes.dropFirst())
        let token = mode % 2 == 0 ? String(decoding: rest, as: UTF8.self) : JWTFixture.signed(payload: rest)
        let authority = JWTFixture.shared.authority
        let first = Blocking.run { () -> Identity? in try? await authority.verify(token) }
        // Verified tokens are remembered; the second answer (from memory) must be the first.
        let second = Blocking.run { () -> Identity? in try? await authority.verify(token) }
        check.expect(first == second, "a token verifies differently the second time")
    }

    /// A search on the small demo source: the type from the first byte, the rest as the query string.
    static func searchParameters(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        guard let first = bytes.first else { return }
        let types = SourceFixture.types + ["Unknown"]
        let type = types[Int(first >> 1) % types.count]
        let query = String(decoding: UnsafeRawBufferPointer(rebasing: bytes.dropFirst()), as: UTF8.self)
        let answer = SourceFixture.responder.offlineAnswer(get: type, query: query, lenient: first & 1 == 1)
        expectFHIRAnswer(answer, "search \(type)?\(query)", &check)
        if answer.status == 200 {
            let json = try? JSONValue.parse(Data(answer.body))
            check.expect(json?["type"]?.stringValue == "searchset", "a search answered 200 without a searchset")
        }
    }

    /// A batch Bundle posted to the small demo source.
    static func batchBundle(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        let answer = SourceFixture.responder.offlineAnswer(batch: Array(bytes))
        expectFHIRAnswer(answer, "batch", &check)
        guard answer.status == 200, let json = try? JSONValue.parse(Data(answer.body)) else { return }
        let sent = (try? JSONValue.parse(bytes.data))?["entry"]?.arrayValue?.count ?? 0
        check.expect(json["type"]?.stringValue == "batch-response", "a batch answered 200 without a batch-response")
        check.expect(json["entry"]?.listValue.count == sent, "a batch of \(sent) entries got another number of responses")
    }

    /// An answer is a FHIR resource in JSON, with a status a server may send.
    private static func expectFHIRAnswer(
        _ answer: FHIRSourceResponder.OfflineAnswer, _ what: String, _ check: inout PropertyCheck
    ) {
        check.expect((200..<600).contains(answer.status), "\(what): status \(answer.status)")
        check.expect(answer.status != 500, "\(what): an internal error (500)")
        guard answer.status != 304 else { return }
        switch Result(catching: { try JSONValue.parse(Data(answer.body)) }) {
        case .success(let json):
            check.expect(json["resourceType"]?.stringValue != nil, "\(what): the answer is not a resource")
        case .failure(let error):
            check.fail("\(what): the answer is not JSON (\(error))")
        }
    }

    /// `TextSanitizer.clean` and `cleanLine`; the first byte picks the length limit (mostly the default).
    static func sanitizer(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        let text = bytes.text
        let limit = bytes.first.map { $0 < 0xC0 ? TextSanitizer.defaultMaxLength : 1 + Int($0 - 0xC0) } ?? 1
        let clean = TextSanitizer.clean(text, maxLength: limit)
        let line = TextSanitizer.cleanLine(text, maxLength: limit)
        if let problem = ForbiddenText.first(in: clean, newlines: true) { check.fail("clean left \(problem)") }
        if let problem = ForbiddenText.first(in: line, newlines: false) { check.fail("cleanLine left \(problem)") }
        check.expect(clean.count <= limit, "clean is \(clean.count) characters, over its limit \(limit)")
        check.expect(line.count <= limit, "cleanLine is \(line.count) characters, over its limit \(limit)")
        check.expect(TextSanitizer.clean(clean, maxLength: limit) == clean, "clean twice changes the text")
        check.expect(TextSanitizer.cleanLine(line, maxLength: limit) == line, "cleanLine twice changes the text")
        check.expect(TextSanitizer.isClean(line), "isClean refuses what cleanLine made")
        if TextSanitizer.isClean(text) {
            check.expect(
                text.count > limit || clean == text, "clean changed text that isClean accepts")
        }
        // Inside JSON: the sanitizing parse leaves nothing to clean either.
        var json: [UInt8] = []
        JSONValue.writeString(text, into: &json)
        if let value = json.withUnsafeBytes({ try? JSONValue.parseSanitized($0) }) {
            if let problem = dirtyString(in: value) { check.fail("parseSanitized left \(problem)") }
        }
    }
}

extension FuzzTarget {
    static func auditCheckpoint(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        guard let checkpoints = try? AuditCheckpoint.parseLines(bytes.data) else { return }
        for checkpoint in checkpoints {
            let again = try? AuditCheckpoint.parseLines(Data(checkpoint.line.utf8))
            check.expect(again == [checkpoint], "line → parse changed the checkpoint (\(checkpoint.line))")
            _ = checkpoint.signatureHolds
        }
        _ = AuditCheckpointCheck.verify(chain: [], checkpoints: checkpoints, trustedKeys: nil)
    }
}
