import FHIR
import Foundation
import Summary
import Words

extension FuzzTarget {
    /// First byte even: the rest is a query (`GET`), with the path's id when the byte is 2 mod 4. Odd: the rest is a
    /// `POST` body. The same bytes go through `Accept-Language` and the narrative's escaping.
    static func summaryRequest(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        guard let mode = bytes.first else { return }
        let rest = UnsafeRawBufferPointer(rebasing: bytes.dropFirst())
        let text = String(decoding: rest, as: UTF8.self)
        let id: String? = mode % 4 == 2 ? String(text.prefix(12)) : nil
        do {
            let asked =
                mode % 2 == 0
                ? try SummaryRequest(id: id, query: text, body: nil)
                : try SummaryRequest(id: nil, query: nil, body: Data(rest))
            check.expect(
                asked.cpr.value.utf8.count == 10 && asked.cpr.value.utf8.allSatisfy { (0x30...0x39).contains($0) },
                "a summary request read a CPR number that is not ten digits: \(asked.cpr.value)")
        } catch {
            check.expect([400, 404].contains(error.status), "a summary request was refused with \(error.status)")
            for catalog in [Catalog.danish, Catalog.english] {
                check.expect(!catalog.text(error.phrase).isEmpty, "a refusal of a summary request has no words")
            }
        }
        _ = SummaryRequest.language(acceptLanguage: text)
        // Checked scalar by scalar, as an XML parser reads it: a combining mark after `<` or `;` makes one Character
        // of the two, which hides the `<` from a check per Character and is still one entity to XML.
        let escaped = Array(IPSBuilder.escape(text).unicodeScalars)
        check.expect(
            !escaped.contains { $0 == "<" || $0 == ">" || $0 == "\"" },
            "escaped narrative text still holds markup: \(String(String.UnicodeScalarView(escaped.prefix(80))))")
        check.expect(
            !escaped.contains { ($0.value < 0x20 && $0.value != 0x0A) || $0.value == 0xFFFE || $0.value == 0xFFFF },
            "escaped narrative text holds a character XML does not allow")
        let entities = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].map { Array($0.unicodeScalars) }
        for index in escaped.indices where escaped[index] == "&" {
            check.expect(
                entities.contains { escaped[index...].starts(with: $0) },
                "an ampersand in escaped narrative text starts no entity")
        }
    }
}
