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
        let scalars = Array(xhtml.unicodeScalars)
        let open = Array("<\(tag)".unicodeScalars)
        let close = Array("</\(tag)>".unicodeScalars)
        func find(_ needle: [Unicode.Scalar], from: Int) -> Int? {
            guard scalars.count >= needle.count, from <= scalars.count - needle.count else { return nil }
            return (from...(scalars.count - needle.count)).first { scalars[$0..<($0 + needle.count)].elementsEqual(needle) }
        }
        var texts: [String] = []
        var index = 0
        while let start = find(open, from: index) {
            let afterName = start + open.count
            // `<li>` or `<li class=...>`, not `<link>`.
            guard afterName < scalars.count, scalars[afterName] == ">" || scalars[afterName] == " ",
                let tagEnd = scalars[afterName...].firstIndex(of: ">")
            else {
                index = afterName
                continue
            }
            let body = tagEnd + 1
            let end = find(close, from: body)
            texts.append(text(of: String(String.UnicodeScalarView(scalars[body..<(end ?? scalars.count)]))))
            guard let end else { break }
            index = end + close.count
        }
        return texts
    }

    /// Markup removed, entities read (`&lt;` → `<`; a numeric one by its code point). Read scalar by scalar, as XML
    /// is: a combining mark after `<` or `&` does not hide it.
    static func text(of xhtml: String) -> String {
        var plain: [Unicode.Scalar] = []
        var inTag = false
        for scalar in xhtml.unicodeScalars {
            if scalar == "<" {
                inTag = true
            } else if scalar == ">" {
                inTag = false
            } else if !inTag {
                plain.append(scalar)
            }
        }
        var out = String.UnicodeScalarView()
        var index = 0
        let named: [String: String] = ["amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " "]
        while index < plain.count {
            let scalar = plain[index]
            index += 1
            guard scalar == "&", let semicolon = plain[index..<min(plain.count, index + 10)].firstIndex(of: ";") else {
                out.append(scalar)
                continue
            }
            let name = String(String.UnicodeScalarView(plain[index..<semicolon]))
            if let known = named[name] {
                out.append(contentsOf: known.unicodeScalars)
            } else if name.hasPrefix("#"),
                let value = name.hasPrefix("#x") || name.hasPrefix("#X")
                    ? UInt32(name.dropFirst(2), radix: 16) : UInt32(name.dropFirst()),
                let decoded = Unicode.Scalar(value)
            {
                out.append(decoded)
            } else {
                out.append(scalar)
                continue
            }
            index = semicolon + 1
        }
        return String(out)
    }
}
