import FHIR
import Foundation
import Synchronization

/// Whether a clinician has a current care relationship (aktuel behandlingsrelation) with a patient, and on what
/// grounds. Behind a protocol: the demo derives it from the sources; a real deployment asks a relationship service.
public protocol CareRelationships: Sendable {
    func relationship(of identity: Identity, to cpr: String) async throws -> Relationship
    /// Something changed for this patient (an event): forget what was concluded.
    func forget(cpr: String)
}

public struct Relationship: Sendable, Equatable {
    public var exists: Bool
    /// Why, in Danish: "aktiv akut kontakt på Akutmodtagelsen, Herlev", "patienten er tilmeldt lægen", ...
    public var basis: String

    public init(exists: Bool, basis: String) {
        self.exists = exists
        self.basis = basis
    }
}

/// Relationships read from the sources themselves: an ED doctor's patients have an in-progress acute (EMER) or
/// inpatient (IMP) encounter whose service provider is the doctor's department; a GP's patients name the practice
/// (ydernummer) as their general practitioner; a home nurse's citizens have an active municipal care plan and live
/// in the nurse's municipality. Conclusions are kept 20 seconds, and forgotten at once when an event concerns the
/// patient (an arrival must open access immediately).
public final class SourceCareRelationships: CareRelationships {
    let sources: [GatewaySource]
    let reader: SourceReader
    private let known = Mutex<[String: (Relationship, Date)]>([:])
    /// When each patient was last forgotten: a lookup that began before that is not kept.
    private let forgotten = Mutex<[String: Date]>([:])
    static let keep: TimeInterval = 20

    init(sources: [GatewaySource], reader: SourceReader) {
        self.sources = sources.filter { $0.kind == .clinical }
        self.reader = reader
    }

    public func forget(cpr: String) {
        forgotten.withLock { all in
            if all.count > 10_000 { all = all.filter { Date().timeIntervalSince($0.value) < Self.keep } }
            all[cpr] = Date()
        }
        known.withLock { all in all = all.filter { !$0.key.hasSuffix("|" + cpr) } }
    }

    public func relationship(of identity: Identity, to cpr: String) async throws -> Relationship {
        let key = identity.accessKey + "|" + cpr
        if let (found, at) = known.withLock({ $0[key] }), Date().timeIntervalSince(at) < Self.keep { return found }
        let started = Date()
        let found = try await look(identity, cpr)
        if let at = forgotten.withLock({ $0[cpr] }), at >= started { return found }
        known.withLock { all in
            if all.count > 10_000 { all.removeAll() }
            all[key] = (found, Date())
        }
        return found
    }

    private func look(_ identity: Identity, _ cpr: String) async throws -> Relationship {
        let none = Relationship(exists: false, basis: "ingen aktuel behandlingsrelation")
        switch identity.role {
        case .edDoctor, .doctor:
            guard let department = identity.organization?.value else { return none }
            for source in sources where source.sector == "hospital" {
                for patient in try await reader.patients(source, cpr: cpr) {
                    guard let id = patient["id"]?.stringValue else { continue }
                    let encounters = try await reader.search(source, "Encounter?patient=\(id)&status=in-progress")
                    for encounter in encounters {
                        let kind = encounter["class"]?["code"]?.stringValue ?? ""
                        let provider = encounter["serviceProvider"]
                        guard ["EMER", "IMP", "ACUTE"].contains(kind),
                            provider?["identifier"]?["value"]?.stringValue == department
                        else { continue }
                        let place = provider?["display"]?.stringValue ?? identity.organization?.name ?? department
                        let what = kind == "IMP" ? "indlagt" : "aktiv akut kontakt"
                        return Relationship(exists: true, basis: "\(what) på \(place)")
                    }
                }
            }
            return none
        case .gp:
            guard let practice = identity.organization?.value else { return none }
            for source in sources where source.sector == "gp" {
                for patient in try await reader.patients(source, cpr: cpr) {
                    let listed = (patient["generalPractitioner"]?.listValue ?? []).contains {
                        $0["identifier"]?["value"]?.stringValue == practice
                    }
                    if listed { return Relationship(exists: true, basis: "patienten er tilmeldt lægepraksis \(practice)") }
                }
            }
            return none
        case .homeNurse:
            guard let municipality = identity.municipality else { return none }
            for source in sources where source.sector == "municipality" {
                for patient in try await reader.patients(source, cpr: cpr) {
                    guard let id = patient["id"]?.stringValue, Self.municipality(of: patient) == municipality else { continue }
                    let plans = try await reader.search(source, "CarePlan?patient=\(id)&status=active")
                    if let plan = plans.first {
                        let service = plan["title"]?.stringValue ?? "kommunal ydelse"
                        return Relationship(exists: true, basis: "aktiv kommunal ydelse (\(service)) i kommune \(municipality)")
                    }
                }
            }
            return none
        case .citizen, .logAuditor, .researcher, .dataController:
            return none
        }
    }

    static func municipality(of patient: JSONValue) -> String? {
        for address in patient["address"]?.listValue ?? [] {
            for ext in address["extension"]?.listValue ?? [] {
                for coding in ext["valueCodeableConcept"]?["coding"]?.listValue ?? [] {
                    if let code = coding["code"]?.stringValue, coding["system"]?.stringValue?.contains("municipality") == true {
                        return code
                    }
                }
            }
        }
        return nil
    }
}
