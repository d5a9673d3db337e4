import FHIR

/// Works out what a change means from the changed resource: which event code, whose patient, which organisation.
/// A topic from the source that is one of ours is trusted for the code; a foreign topic or none is derived from
/// the resource (Encounter class and status, resource type).
public enum EventClassifier {
    /// The code of a change to `resource`, given the topic the source named and the codes already stored for the same
    /// resource. Nil when the change is of no kind we publish.
    public static func code(for resource: JSONValue, hint: EventTopic?, previous: [EventCode]) -> EventCode? {
        let type = resource["resourceType"]?.stringValue ?? ""
        let status = resource["status"]?.stringValue ?? ""
        let cancelled = status == "entered-in-error" || (type == "Encounter" && status == "cancelled")
        var base: EventCode?
        if let hint, hint.codes.count == 1 {
            base = hint.codes[0]
        } else {
            base = derive(resource, type: type, status: status, previous: previous)
            if let hint, let derived = base, !hint.covers(derived) { base = nil }
        }
        guard let base else { return nil }
        if base.isHospitalNotification {
            if cancelled { return base.cancellation }
            if previous.contains(where: { $0.base == base && !$0.isCancellation }) { return base.correction }
        }
        if base == .appointmentBooked, previous.contains(where: { $0 == .appointmentBooked || $0 == .appointmentChanged }) {
            return .appointmentChanged
        }
        return base
    }

    private static func derive(_ resource: JSONValue, type: String, status: String, previous: [EventCode]) -> EventCode? {
        switch type {
        case "Encounter":
            let encounterClass = resource["class"]?["code"]?.stringValue ?? resource["class"]?.stringValue ?? ""
            switch status {
            case "onleave": return .leaveStart
            case "finished":
                let disposition = resource["hospitalization"]?["dischargeDisposition"]?["coding"]?.listValue.first?["code"]?
                    .stringValue
                return disposition == "exp" ? .death : .discharge
            case "entered-in-error", "cancelled":
                return encounterClass == "EMER" ? .acuteArrival : .admission
            case "in-progress", "arrived", "triaged", "planned":
                if encounterClass == "EMER" { return .acuteArrival }
                if previous.last?.base == .leaveStart { return .leaveEnd }
                return encounterClass == "IMP" || encounterClass == "ACUTE" ? .admission : nil
            default: return nil
            }
        case "Patient":
            let deceased = resource["deceasedBoolean"] == .bool(true) || resource["deceasedDateTime"] != nil
            return deceased ? .death : nil
        case "Observation", "DiagnosticReport": return .labResult
        case "DocumentReference", "Composition": return .dischargeLetter
        case "Communication": return .homeCareNote
        case "Appointment": return .appointmentBooked
        case "Consent": return .consentChanged
        default: return nil
        }
    }

    /// The reference to the patient a resource is about (`subject`, `patient`, or an Appointment participant).
    public static func patientReference(of resource: JSONValue) -> String? {
        if resource["resourceType"]?.stringValue == "Patient" {
            return resource["id"]?.stringValue.map { "Patient/\($0)" }
        }
        for key in ["subject", "patient"] {
            if let reference = resource[key]?["reference"]?.stringValue { return reference }
        }
        for participant in resource["participant"]?.listValue ?? [] {
            if let reference = participant["actor"]?["reference"]?.stringValue, reference.contains("Patient/") {
                return reference
            }
        }
        return nil
    }

    /// The CPR number on a Patient resource.
    public static func cpr(of patient: JSONValue) -> String? {
        for identifier in patient["identifier"]?.listValue ?? [] where identifier["system"]?.stringValue == DanishSystems.cpr {
            if let value = identifier["value"]?.stringValue, let cpr = try? CPRNumber(value) { return cpr.value }
        }
        return nil
    }

    /// The municipality code of the patient's home address (dk-core extension).
    public static func municipality(of patient: JSONValue) -> String? {
        for address in patient["address"]?.listValue ?? [] {
            for ext in address["extension"]?.listValue ?? []
            where ext["url"]?.stringValue == DanishSystems.municipalityCodeExtension {
                if let code = ext["valueCodeableConcept"]?["coding"]?.listValue.first?["code"]?.stringValue { return code }
                if let code = ext["valueCoding"]?["code"]?.stringValue ?? ext["valueCode"]?.stringValue { return code }
            }
        }
        return nil
    }

    /// The organisation where the change happened: its SOR code or ydernummer, and its name.
    public static func organization(of resource: JSONValue) -> (code: String?, name: String?) {
        var candidates: [JSONValue?] = [
            resource["serviceProvider"], resource["performer"]?.listValue.first, resource["sender"], resource["custodian"],
            resource["author"]?.listValue.first ?? resource["author"], resource["managingOrganization"],
        ]
        for participant in resource["participant"]?.listValue ?? [] { candidates.append(participant["actor"]) }
        for candidate in candidates {
            guard let reference = candidate, let value = reference["identifier"]?["value"]?.stringValue else { continue }
            let system = reference["identifier"]?["system"]?.stringValue
            guard system == DanishSystems.sor || system == DanishSystems.ydernummer else { continue }
            // A practitioner's reference may carry the place's code, but its display is a person's name: not kept.
            let target = (reference["type"]?.stringValue ?? "") + (reference["reference"]?.stringValue ?? "")
            if target.contains("Practitioner") { return (value, nil) }
            return (value, reference["display"]?.stringValue.map { TextSanitizer.cleanLine($0, maxLength: 120) })
        }
        return (nil, nil)
    }
}
