import FHIR
import Foundation

/// A patient summary (IPS document Bundle) as a reader sees it: its title, whom it is about, when it was made, and
/// each section's lines from its narrative (the list items, then what its paragraphs say: why it is empty, which
/// sources are not in it). Read from any server's document, so every text is cleaned for a terminal.
///
/// ```swift
/// let summary = try SummaryDocument(await login.summary(cpr: "2509479989", language: .da))
/// summary.sections.map(\.title)  // ["Medicin", "Allergier og intolerancer", ...]
/// ```
public struct SummaryDocument: Sendable, Equatable {
    public struct Section: Sendable, Equatable {
        public let title: String
        /// The LOINC code (10160-0 medication, ...).
        public let code: String?
        public let items: [String]
        /// What the narrative says besides its list: why the section is empty, or which sources are not in it.
        public let notes: [String]
        /// `withheld`, `unavailable`, `nilknown`, ... when the section has no entries.
        public let emptyReason: String?
    }

    public let title: String
    public let patientName: String?
    public let date: FHIRDateTime?
    public let sections: [Section]

    /// Not a document Bundle with a Composition first.
    public struct NotADocument: Error, Sendable {}

    public init(_ bundle: JSONValue) throws(NotADocument) {
        let entries = bundle["entry"]?.listValue ?? []
        guard bundle["resourceType"]?.stringValue == "Bundle", bundle["type"]?.stringValue == "document",
            let composition = entries.first?["resource"], composition["resourceType"]?.stringValue == "Composition"
        else { throw NotADocument() }
        func line(_ text: String?) -> String? {
            text.map { TextSanitizer.cleanLine($0, maxLength: 1000) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        title = line(composition["title"]?.stringValue) ?? "-"
        date = composition["date"]?.stringValue.flatMap { try? FHIRDateTime($0) }
        let subject = composition["subject"]?["reference"]?.stringValue
        let patient = entries.first { $0["fullUrl"]?.stringValue == subject }?["resource"]
        patientName = patient?["name"]?.listValue.first.flatMap { name in
            let parts =
                (name["given"]?.listValue.compactMap(\.stringValue) ?? []) + [name["family"]?.stringValue].compactMap { $0 }
            return line(parts.joined(separator: " ")) ?? line(name["text"]?.stringValue)
        }
        sections = (composition["section"]?.listValue ?? []).map { section in
            let div = section["text"]?["div"]?.stringValue ?? ""
            return Section(
                title: line(section["title"]?.stringValue) ?? "-",
                code: section["code"]?["coding"]?.listValue.first?["code"]?.stringValue,
                items: Self.elements("li", in: div).compactMap(line),
                notes: Self.elements("p", in: div).compactMap(line),
                emptyReason: section["emptyReason"]?["coding"]?.listValue.first?["code"]?.stringValue)
        }
    }

    /// The text of each `<tag>` element of an XHTML fragment, its markup removed and its entities read.
    static func elements(_ tag: String, in xhtml: String) -> [String] {
        var texts: [String] = []
        var rest = Substring(xhtml)
        while let start = rest.range(of: "<\(tag)") {
            let afterName = rest[start.upperBound...]
            // `<li>` or `<li class=...>`, not `<link>`.
            guard let next = afterName.first, next == ">" || next == " ", let open = afterName.firstIndex(of: ">") else {
                rest = afterName
                continue
            }
            let body = afterName[afterName.index(after: open)...]
            let end = body.range(of: "</\(tag)>")
            texts.append(text(of: String(body[..<(end?.lowerBound ?? body.endIndex)])))
            rest = end.map { body[$0.upperBound...] } ?? ""
        }
        return texts
    }

    /// Markup removed, entities read (`&lt;` → `<`; a numeric one by its code point).
    static func text(of xhtml: String) -> String {
        var plain = ""
        var inTag = false
        for character in xhtml {
            if character == "<" {
                inTag = true
            } else if character == ">" {
                inTag = false
            } else if !inTag {
                plain.append(character)
            }
        }
        guard plain.contains("&") else { return plain }
        var out = ""
        var rest = Substring(plain)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            guard let semicolon = after.prefix(10).firstIndex(of: ";") else {
                out.append("&")
                rest = after
                continue
            }
            let name = after[..<semicolon]
            let named: [Substring: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " "]
            if let known = named[name] {
                out += known
            } else if name.hasPrefix("#"),
                let value = name.hasPrefix("#x") || name.hasPrefix("#X")
                    ? UInt32(name.dropFirst(2), radix: 16) : UInt32(name.dropFirst()),
                let scalar = Unicode.Scalar(value)
            {
                out.unicodeScalars.append(scalar)
            } else {
                out += "&" + name + ";"
            }
            rest = after[after.index(after: semicolon)...]
        }
        return out + rest
    }
}
