import FHIR
import Foundation

/// A person as the analysis store holds them: a pseudonym, sex, the first year of their birth band, municipality.
package struct PersonRow: Equatable {
    package let pid: Data
    package let sex: String
    package let birth: Int
    package let municipality: String
}

/// One fact about a person: a diagnosis, an encounter (its class), a lab result (its code and value) or a
/// medication (ATC), with the period it is in (coarsened as approved).
package struct FactRow: Equatable {
    package let pid: Data
    package let kind: String
    package let code: String
    package let value: Double?
    package let period: String
}

/// What an ingest loaded and what it left out, and why.
public struct IngestReport: Sendable, Equatable {
    public var persons = 0
    public var facts = 0
    /// Resources read from the sources.
    public var read = 0
    /// Persons left out because they opted out of secondary use (EHDS art. 71).
    public var optedOut = 0
    /// Persons outside the approved population (ages), or without a CPR number.
    public var outsidePopulation = 0
    /// Facts outside the approval (type, code, period), or of no person loaded.
    public var outsideApproval = 0
}

/// Turns exported resources into rows, reading only the coded fields the analysis needs: never a name, an address,
/// a telecom, an identifier other than the CPR number (which becomes the pseudonym at once), or free text.
package struct Extractor {
    let request: DataRequest
    let key: ProjectKey
    let optedOut: Set<String>
    private var optedOutSeen: Set<String> = []
    /// A source's own patient id → the person's pseudonym (ids are per source).
    var pseudonyms: [String: Data] = [:]
    package var report = IngestReport()
    /// Ages are counted at the end of the approved period.
    let referenceYear: Int

    package init(request: DataRequest, key: ProjectKey, optedOut: Set<String>) {
        self.request = request
        self.key = key
        self.optedOut = optedOut
        referenceYear = request.to.flatMap { DataRequest.month($0)?.year } ?? 2026
    }

    /// A new source: its patient ids mean nothing at the next one.
    mutating func nextSource() { pseudonyms = [:] }

    package mutating func patient(_ json: JSONValue) -> PersonRow? {
        report.read += 1
        guard let id = json["id"]?.stringValue,
            let value = (json["identifier"]?.listValue ?? []).first(where: {
                $0["system"]?.stringValue == DanishSystems.cpr
            })?["value"]?.stringValue, let cpr = try? CPRNumber(value)
        else {
            report.outsidePopulation += 1
            return nil
        }
        if optedOut.contains(cpr.value) {
            // Counted once, however many sources know them.
            if optedOutSeen.insert(cpr.value).inserted { report.optedOut += 1 }
            return nil
        }
        guard let birth = json["birthDate"]?.stringValue, let year = Int(birth.prefix(4)), birth.count >= 4 else {
            report.outsidePopulation += 1
            return nil
        }
        let age = referenceYear - year
        if let minAge = request.minAge, age < minAge {
            report.outsidePopulation += 1
            return nil
        }
        if let maxAge = request.maxAge, age > maxAge {
            report.outsidePopulation += 1
            return nil
        }
        let sex = ["male", "female"].contains(json["gender"]?.stringValue ?? "") ? json["gender"]!.stringValue! : "unknown"
        let municipality =
            (json["address"]?.listValue ?? []).lazy.compactMap { address in
                (address["extension"]?.listValue ?? []).first {
                    $0["url"]?.stringValue?.hasSuffix("dk-core-municipalityCodes") == true
                }?["valueCodeableConcept"]?["coding"]?.listValue.first?["code"]?.stringValue
            }.first.map { String($0.prefix(4)) } ?? "-"
        let pid = key.pseudonym(cpr)
        pseudonyms[id] = pid
        report.persons += 1
        return PersonRow(pid: pid, sex: sex, birth: request.birthBand(year), municipality: municipality)
    }

    package mutating func fact(_ json: JSONValue, type: String) -> FactRow? {
        report.read += 1
        let subject = json["subject"]?["reference"]?.stringValue ?? json["patient"]?["reference"]?.stringValue
        guard let subject, subject.hasPrefix("Patient/"), let pid = pseudonyms[String(subject.dropFirst(8))] else {
            report.outsideApproval += 1
            return nil
        }
        let kind: String
        let code: String?
        let date: String?
        var value: Double?
        switch type {
        case "Condition":
            kind = "condition"
            code = Self.code(json["code"], system: DanishSystems.sks)
            date = json["onsetDateTime"]?.stringValue ?? json["recordedDate"]?.stringValue
        case "Encounter":
            kind = "encounter"
            code = json["class"]?["code"]?.stringValue.flatMap(Self.clean)
            date = json["period"]?["start"]?.stringValue
        case "Observation":
            kind = "observation"
            code = Self.code(json["code"], system: nil)
            date = json["effectiveDateTime"]?.stringValue ?? json["issued"]?.stringValue
            value = json["valueQuantity"]?["value"]?.numberValue
        case "MedicationStatement":
            kind = "medication"
            code = Self.code(json["medicationCodeableConcept"], system: "http://www.whocc.no/atc")
            date = json["effectivePeriod"]?["start"]?.stringValue ?? json["dateAsserted"]?.stringValue
        default:
            report.outsideApproval += 1
            return nil
        }
        guard let code, let month = date.flatMap(Self.month), request.allows(type: type, code: code, month: month) else {
            report.outsideApproval += 1
            return nil
        }
        report.facts += 1
        return FactRow(pid: pid, kind: kind, code: code, value: value, period: request.period(month))
    }

    /// The first coding's code (of `system`, when given), if it is a clean code.
    static func code(_ concept: JSONValue?, system: String?) -> String? {
        let codings = concept?["coding"]?.listValue ?? []
        let coding = system.map { wanted in codings.first { $0["system"]?.stringValue == wanted } } ?? codings.first
        return coding?["code"]?.stringValue.flatMap(clean)
    }

    /// A code as the store keeps it: 1 to 20 ASCII letters, digits and dots; anything else is not a code (and may be
    /// free text), so it is left out.
    static func clean(_ code: String) -> String? {
        guard !code.isEmpty, code.unicodeScalars.count <= 20,
            code.unicodeScalars.allSatisfy({
                $0.isASCII && (("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == ".")
            })
        else { return nil }
        return code
    }

    /// `2025-03` of a FHIR date or dateTime with at least a month.
    static func month(_ text: String) -> String? {
        guard let date = try? FHIRDateTime(text), date.precision >= .month else { return nil }
        return String(text.prefix(7))
    }
}
