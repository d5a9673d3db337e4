import FHIR
import Foundation
import Synchronization

/// A patient's block (negativt samtykke): data from one sector withheld from clinicians of another, read from an
/// active `Consent` with `provision.type = deny` in a preferences source:
/// - the data's sector in the extension `consent-data-sector` on the provision (`gp`, `hospital`, `municipality`);
/// - the clinicians' sector as `provision.actor.reference.identifier` in the `sector` code system.
/// A provision without a data sector blocks all data; without an actor, all clinicians.
public struct ConsentBlock: Sendable, Equatable {
    public static let dataSectorExtension = "https://sundhedscloud.dk/fhir/StructureDefinition/consent-data-sector"
    public static let sectorSystem = "https://sundhedscloud.dk/fhir/CodeSystem/sector"

    public var consentID: String
    /// Empty: every sector.
    public var dataSectors: Set<String>
    /// Empty: every clinician.
    public var requesterSectors: Set<String>

    public func blocks(data sector: String, for requester: String) -> Bool {
        (dataSectors.isEmpty || dataSectors.contains(sector))
            && (requesterSectors.isEmpty || requesterSectors.contains(requester))
    }

    /// The blocks of Consent resources (inactive ones and permits are not blocks).
    public static func from(_ consents: [JSONValue], now: Date = Date()) -> [ConsentBlock] {
        consents.compactMap { consent -> ConsentBlock? in
            guard consent["resourceType"]?.stringValue == "Consent", consent["status"]?.stringValue == "active",
                !ResearchOptOut.isResearch(consent), let provision = consent["provision"],
                provision["type"]?.stringValue == "deny"
            else { return nil }
            if let end = provision["period"]?["end"]?.stringValue, let date = try? FHIRDateTime(end),
                date.upperBound < now
            {
                return nil
            }
            let data = (provision["extension"]?.listValue ?? []).filter {
                $0["url"]?.stringValue == dataSectorExtension
            }.compactMap { $0["valueCode"]?.stringValue }
            let actors = (provision["actor"]?.listValue ?? []).compactMap { actor -> String? in
                let identifier = actor["reference"]?["identifier"]
                guard identifier?["system"]?.stringValue == sectorSystem else { return nil }
                return identifier?["value"]?.stringValue
            }
            return ConsentBlock(
                consentID: consent["id"]?.stringValue ?? "?", dataSectors: Set(data), requesterSectors: Set(actors))
        }
    }
}

/// A citizen's opt-out of secondary use (EHDS, Regulation (EU) 2025/327 art. 71), as a `Consent` in a preferences
/// source: `scope` research (`consentscope#research`), `provision.type = deny`, `policyRule` OPTOUT, the purpose
/// `HRESCH`. Active and not expired, the citizen's data is never loaded for research, and is removed from every
/// project's data when it arrives; withdrawn (`inactive`), the next load takes them again. It is not a block: what
/// clinicians may read does not change.
public enum ResearchOptOut {
    public static let scopeSystem = "http://terminology.hl7.org/CodeSystem/consentscope"
    public static let regulation = "https://eur-lex.europa.eu/eli/reg/2025/327/oj"

    /// Whether a Consent is about research (secondary use), whatever it says.
    public static func isResearch(_ consent: JSONValue) -> Bool {
        (consent["scope"]?["coding"]?.listValue ?? []).contains {
            $0["system"]?.stringValue == scopeSystem && $0["code"]?.stringValue == "research"
        }
    }

    /// Whether one of these Consents opts the citizen out of secondary use now.
    public static func optedOut(_ consents: [JSONValue], now: Date = Date()) -> Bool {
        consents.contains { consent in
            guard consent["resourceType"]?.stringValue == "Consent", consent["status"]?.stringValue == "active",
                isResearch(consent), consent["provision"]?["type"]?.stringValue == "deny"
            else { return false }
            if let end = consent["provision"]?["period"]?["end"]?.stringValue, let date = try? FHIRDateTime(end),
                date.upperBound < now
            {
                return false
            }
            return true
        }
    }

    /// The id of a patient's opt-out in the preferences source (one per patient, updated in place).
    public static func id(patient: String) -> String { String("research-optout-\(patient)".prefix(64)) }

    /// The Consent that says so (`active`), or that the opt-out is withdrawn (`inactive`).
    public static func consent(id: String, patient: String, active: Bool, at time: Date = Date()) -> JSONValue {
        let coding = { (system: String, code: String, display: String) -> JSONValue in
            .object(["system": .string(system), "code": .string(code), "display": .string(display)])
        }
        return .object([
            "resourceType": .string("Consent"), "id": .string(id), "status": .string(active ? "active" : "inactive"),
            "scope": .object(["coding": .array([coding(scopeSystem, "research", "Research")])]),
            "category": .array([.object(["coding": .array([coding("http://loinc.org", "59284-0", "Patient Consent")])])]),
            "patient": .object(["reference": .string("Patient/\(patient)")]),
            "dateTime": .string(FHIRDateTime(date: time, precision: .second).text),
            "policy": .array([.object(["uri": .string(regulation)])]),
            "policyRule": .object([
                "coding": .array([coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTOUT", "opt out")])
            ]),
            "provision": .object([
                "type": .string("deny"),
                "purpose": .array([
                    coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", "HRESCH", "healthcare research")
                ]),
            ]),
        ])
    }
}

/// Reads a patient's blocks from the preferences sources. If a preferences source cannot be read, the answer is an
/// error: a clinician is then refused (without a reason for emergency access), never shown what may be blocked.
/// What was read is kept 30 seconds (a new block takes effect within that), and forgotten when an event concerns
/// the patient.
final class ConsentReader: Sendable {
    let sources: [GatewaySource]
    let reader: SourceReader
    private let known = Mutex<[String: ([ConsentBlock], Date)]>([:])
    static let keep: TimeInterval = 30

    init(sources: [GatewaySource], reader: SourceReader) {
        self.sources = sources
        self.reader = reader
    }

    func forget(cpr: String) {
        known.withLock { $0[cpr] = nil }
    }

    func blocks(cpr: String) async throws -> [ConsentBlock] {
        if let (found, at) = known.withLock({ $0[cpr] }), Date().timeIntervalSince(at) < Self.keep { return found }
        let found = try await read(cpr: cpr)
        known.withLock { all in
            if all.count > 10_000 { all.removeAll() }
            all[cpr] = (found, Date())
        }
        return found
    }

    private func read(cpr: String) async throws -> [ConsentBlock] {
        var blocks: [ConsentBlock] = []
        for source in sources where source.kind == .preferences {
            for patient in try await reader.patients(source, cpr: cpr) {
                guard let id = patient["id"]?.stringValue else { continue }
                blocks += ConsentBlock.from(try await reader.search(source, "Consent?patient=\(id)&status=active"))
            }
        }
        return blocks
    }
}
