import Crypto
import FHIR
import Federation
import Foundation
import Words

/// Builds an International Patient Summary (HL7 IPS IG 2.0) from what the sources gave one caller: a FHIR `document`
/// Bundle with the Composition first, exactly one Patient, every entry with a `urn:uuid:` fullUrl and every reference
/// resolving inside the Bundle (references to anything not included are dropped, their display kept). The three
/// required sections always come, with entries or an `emptyReason` that says why (`withheld`, `unavailable`,
/// `nilknown`) in its narrative; the others only with data. Narratives are XHTML in the catalog's language, every
/// text from a source escaped. Pure: the same results, language and moment give the same document.
public struct IPSBuilder: Sendable {
    public static let emptyReasonSystem = "http://terminology.hl7.org/CodeSystem/list-empty-reason"
    static let xhtml = "http://www.w3.org/1999/xhtml"

    public let catalog: Catalog
    public let now: Date

    public init(language: Language, now: Date = Date()) {
        self.catalog = Catalog.bundled(language)
        self.now = now
    }

    /// The document, or nil when no source knows the patient (no Patient to be the subject).
    public func document(cpr: String, results: [SourceResult]) -> JSONValue? {
        guard let (patientSource, patient) = patient(in: results) else { return nil }
        let patientURL = Self.urn("\(patientSource)|Patient|\(patient.id ?? cpr)")
        var patientJSON = Self.json(AnyResource.patient(patient)) ?? .object(["resourceType": .string("Patient")])
        Self.rewriteReferences(&patientJSON, patientURL: patientURL)
        Self.strip(&patientJSON)
        let author = Self.urn("sundhedscloud|Organization|platform")
        let entries = sectionEntries(results)
        var bundleEntries: [JSONValue] = []
        var sections: [JSONValue] = []
        for section in IPSSection.allCases {
            let items = entries[section] ?? []
            if items.isEmpty && !section.isRequired { continue }
            var object: JSONObject = [
                "title": .string(catalog.text(section.titleID)),
                "code": Self.concept(IPSSection.loinc, section.rawValue, section.display),
            ]
            if items.isEmpty {
                let (reason, why) = emptyReason(results)
                object["emptyReason"] = Self.concept(Self.emptyReasonSystem, reason, reason)
                object["text"] = Self.narrative(paragraph: why)
            } else {
                var references: [JSONValue] = []
                var lines: [String] = []
                for item in items {
                    guard var resource = Self.json(item.resource) else { continue }
                    Self.rewriteReferences(&resource, patientURL: patientURL)
                    Self.strip(&resource)
                    let url = Self.urn("\(item.source)|\(item.type)|\(item.id)")
                    bundleEntries.append(.object(["fullUrl": .string(url), "resource": resource]))
                    references.append(.object(["reference": .string(url)]))
                    lines.append(item.line)
                }
                object["entry"] = .array(references)
                // What is shown is not all there is when a source withheld or failed: said under the list.
                object["text"] = Self.narrative(items: lines, note: partialNote(results))
            }
            sections.append(.object(object))
        }
        let title = catalog.text("summary.title")
        let stamp = FHIRDateTime(date: now).text
        let composition: JSONValue = .object([
            "resourceType": .string("Composition"),
            "status": .string("final"),
            "type": Self.concept(IPSSection.loinc, "60591-5", "Patient summary Document"),
            "subject": .object(["reference": .string(patientURL)]),
            "date": .string(stamp),
            "author": .array([.object(["reference": .string(author)])]),
            "title": .string(title),
            "confidentiality": .string("N"),
            "section": .array(sections),
        ])
        let organization: JSONValue = .object([
            "resourceType": .string("Organization"),
            "name": .string("SundhedsCloud"),
        ])
        let documentID = Self.urn("document|\(cpr)|\(stamp)")
        let composed = Self.urn("composition|\(cpr)|\(stamp)")
        return .object([
            "resourceType": .string("Bundle"),
            "identifier": .object(["system": .string("urn:ietf:rfc:3986"), "value": .string(documentID)]),
            "type": .string("document"),
            "timestamp": .string(stamp),
            "entry": .array(
                [
                    .object(["fullUrl": .string(composed), "resource": composition]),
                    .object(["fullUrl": .string(patientURL), "resource": patientJSON]),
                    .object(["fullUrl": .string(author), "resource": organization]),
                ] + bundleEntries),
        ])
    }

    // MARK: - What goes in

    struct Entry {
        var source: String
        var type: String
        var id: String
        /// Put into JSON only once it is in the document (most of what the sources give is not).
        var resource: AnyResource
        var line: String
        var date: String
        var key: String?
    }

    /// The patient the document is about: the first source's Patient that answered.
    func patient(in results: [SourceResult]) -> (String, Patient)? {
        for result in results where Self.answered(result.status.state) {
            if let patient = result.patients.first { return (result.source.id, patient) }
        }
        return nil
    }

    static func answered(_ state: SourceStatus.State) -> Bool {
        state == .ok || state == .cached || state == .stale
    }

    /// Each section's entries: current medication (the card's ordinations first, then what only a local list has),
    /// allergies, active and past problems (once per code), vaccinations, and the latest result and vital sign per
    /// code.
    func sectionEntries(_ results: [SourceResult]) -> [IPSSection: [Entry]] {
        var sections: [IPSSection: [Entry]] = [:]
        var latest: [IPSSection: [String: Entry]] = [:]
        var seen = Set<String>()
        var onCard = Set<String>()
        func add(_ section: IPSSection, _ entry: Entry) {
            if let key = entry.key {
                guard seen.insert("\(section.rawValue)|\(key)").inserted else { return }
            }
            sections[section, default: []].append(entry)
        }
        let answered = results.filter { Self.answered($0.status.state) }
        // The medication card first, so that the GP's list adds only what the card lacks.
        let ordered = answered.filter { $0.source.sector == .national } + answered.filter { $0.source.sector != .national }
        for result in ordered {
            for fetched in result.resources {
                guard let id = fetched.resource.id, let type = fetched.resource.resourceType else { continue }
                func entry(_ line: String, date: FHIRDateTime?, key: String? = nil) -> Entry {
                    Entry(
                        source: result.source.id, type: type, id: id, resource: fetched.resource, line: line,
                        date: date?.text ?? "",
                        key: key)
                }
                switch fetched.resource {
                case .medicationRequest(let m) where m.status == "active" || m.status == "on-hold":
                    let atc = m.medicationCodeableConcept?.coding(in: DanishSystems.atc)?.code
                    if let atc { onCard.insert(atc) }
                    add(.medication, entry(Self.join(m.medicationName, m.dosageInstruction?.first?.text), date: m.authoredOn))
                case .medicationStatement(let m) where m.status == "active":
                    let atc = m.medicationCodeableConcept?.coding(in: DanishSystems.atc)?.code
                    if let atc, onCard.contains(atc) { continue }
                    add(
                        .medication,
                        entry(Self.join(m.medicationName, m.dosage?.first?.text), date: m.effective?.start ?? m.dateAsserted))
                case .allergyIntolerance(let a) where a.verificationStatus?.coding?.first?.code != "entered-in-error":
                    add(
                        .allergies,
                        entry(
                            Self.join(a.code?.displayText, a.reaction?.first?.manifestation?.first?.displayText),
                            date: a.recordedDate, key: Self.codeKey(a.code)))
                case .condition(let c):
                    let status = c.clinicalStatus?.coding?.first?.code
                    let section: IPSSection =
                        ["active", "recurrence", "relapse"].contains(status ?? "") ? .problems : .pastIllness
                    add(
                        section,
                        entry(
                            Self.join(c.code?.displayText, c.onset?.start?.datePart), date: c.onset?.start,
                            key: Self.codeKey(c.code).map { "\($0)|\(c.onset?.start?.datePart ?? "")" }))
                case .immunization(let v) where v.status == "completed":
                    add(
                        .immunizations,
                        entry(Self.join(v.vaccineCode?.displayText, v.occurrenceDateTime?.datePart), date: v.occurrenceDateTime))
                case .observation(let o):
                    let laboratory = o.category?.contains {
                        $0.contains(system: HL7Systems.observationCategory, code: "laboratory")
                    }
                    let vital = o.category?.contains { $0.contains(system: HL7Systems.observationCategory, code: "vital-signs") }
                    guard let section: IPSSection = laboratory == true ? .results : vital == true ? .vitalSigns : nil,
                        let key = Self.codeKey(o.code)
                    else { continue }
                    let value = o.valueQuantity.map { q in
                        [q.value.map { catalog.number($0) }, q.unit].compactMap { $0 }.joined(separator: " ")
                    }
                    let when = o.effective?.start ?? o.issued
                    let candidate = entry(Self.join(o.code?.displayText, value, when?.datePart), date: when)
                    if let known = latest[section]?[key], known.date >= candidate.date { continue }
                    latest[section, default: [:]][key] = candidate
                default:
                    continue
                }
            }
        }
        for (section, byCode) in latest {
            sections[section] = byCode.values.sorted { $0.date > $1.date }
        }
        return sections
    }

    /// Why a required section has nothing: a source refused or withheld its data, a source failed, or every source
    /// answered and holds nothing; with the sources and their reasons in words.
    func emptyReason(_ results: [SourceResult]) -> (code: String, why: String) {
        let (withheld, failed) = missing(results)
        if !withheld.isEmpty {
            return ("withheld", catalog.text("summary.empty-withheld", ["sources": .text(names(withheld))]))
        }
        if !failed.isEmpty {
            return ("unavailable", catalog.text("summary.empty-unavailable", ["sources": .text(names(failed))]))
        }
        return ("nilknown", catalog.text("summary.empty-nilknown"))
    }

    /// The sources whose data is not in the document: withheld or refused, and failed.
    func missing(_ results: [SourceResult]) -> (withheld: [SourceResult], failed: [SourceResult]) {
        (
            results.filter { $0.status.state == .denied || $0.status.state == .withheld },
            results.filter { [.error, .timedOut, .loading].contains($0.status.state) }
        )
    }

    /// The sources and their reasons in words: "Lægehuset …: tilbageholdt …; …".
    func names(_ missing: [SourceResult]) -> String {
        missing.map { result in
            let reason = result.status.message.map { catalog.text($0) }
            return reason.map { "\(result.source.name): \($0)" } ?? result.source.name
        }.joined(separator: "; ")
    }

    /// Under a section's list, when sources are missing: which, and why (nil when none is).
    func partialNote(_ results: [SourceResult]) -> String? {
        let (withheld, failed) = missing(results)
        guard !withheld.isEmpty || !failed.isEmpty else { return nil }
        return catalog.text("summary.partial", ["sources": .text(names(withheld + failed))])
    }

    // MARK: - FHIR pieces

    static func json(_ resource: AnyResource) -> JSONValue? {
        guard let data = try? FHIRJSON.encode(resource) else { return nil }
        return try? JSONValue.parse(data)
    }

    /// Without what belongs to the source, not to the document: its `id` and `meta`.
    static func strip(_ resource: inout JSONValue) {
        guard case .object(var members) = resource else { return }
        members["id"] = nil
        members["meta"] = nil
        resource = .object(members)
    }

    /// References to the patient point at the document's Patient; any other reference (a practitioner, an encounter
    /// the document does not hold) is dropped, its display and identifier kept, so that every reference resolves.
    static func rewriteReferences(_ value: inout JSONValue, patientURL: String) {
        switch value {
        case .object(var members):
            if let reference = members["reference"]?.stringValue {
                let path = reference.split(separator: "/").suffix(2)
                if path.count == 2, path.first == "Patient" {
                    members["reference"] = .string(patientURL)
                } else {
                    members["reference"] = nil
                    if members["display"] == nil, members["identifier"] == nil { members["display"] = .string("-") }
                }
            }
            for (key, var child) in members where key != "reference" {
                rewriteReferences(&child, patientURL: patientURL)
                members[key] = child
            }
            value = .object(members)
        case .array(var items):
            for index in items.indices { rewriteReferences(&items[index], patientURL: patientURL) }
            value = .array(items)
        default:
            return
        }
    }

    static func concept(_ system: String, _ code: String, _ display: String) -> JSONValue {
        .object([
            "coding": .array([
                .object(["system": .string(system), "code": .string(code), "display": .string(display)])
            ])
        ])
    }

    static func codeKey(_ concept: CodeableConcept?) -> String? { concept?.codeKey }

    /// The parts there are, cleaned to one line, joined with " — ".
    static func join(_ parts: String?...) -> String {
        let clean = parts.compactMap { $0.map { TextSanitizer.cleanLine($0, maxLength: 300) } }.filter { !$0.isEmpty }
        return clean.isEmpty ? "-" : clean.joined(separator: " — ")
    }

    // MARK: - Narrative (XHTML)

    /// Text as XHTML character data: `&`, `<`, `>`, `"` and `'` escaped, nothing passed through; what XML does not
    /// allow at all (control characters, U+FFFE, U+FFFF) and what could make it read differently (escape
    /// sequences, direction controls) is removed first.
    public static func escape(_ text: String) -> String { TextSanitizer.markupEscaped(text) }

    static func narrative(items: [String], note: String? = nil) -> JSONValue {
        let list = items.map { "<li>\(escape($0))</li>" }.joined()
        let after = note.map { "<p>\(escape($0))</p>" } ?? ""
        return .object([
            "status": .string("generated"), "div": .string("<div xmlns=\"\(xhtml)\"><ul>\(list)</ul>\(after)</div>"),
        ])
    }

    static func narrative(paragraph: String) -> JSONValue {
        .object(["status": .string("generated"), "div": .string("<div xmlns=\"\(xhtml)\"><p>\(escape(paragraph))</p></div>")])
    }

    /// A name-based UUID (version 5 layout over SHA-1) as a `urn:uuid:`: the same name, the same fullUrl.
    static func urn(_ name: String) -> String {
        var bytes = Array(Insecure.SHA1.hash(data: Data(("sundhedscloud-ips|" + name).utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let uuid = UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
        return "urn:uuid:" + uuid.uuidString.lowercased()
    }
}
