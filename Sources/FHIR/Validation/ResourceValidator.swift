import Foundation

/// Checks what FHIR R4 requires of a resource (the 1..1 and 1..* elements, required value sets of status codes) and
/// that Danish code systems hold well-formed codes. Returns problems in words; an empty list means valid.
public enum ResourceValidator {
    public static func problems(in resource: AnyResource) -> [String] {
        var problems: [String] = []
        func require(_ present: Bool, _ path: String) {
            if !present { problems.append("\(path) is required") }
        }
        func oneOf(_ value: String?, _ allowed: Set<String>, _ path: String) {
            if let value, !allowed.contains(value) { problems.append("\(path) '\(value)' is not one of \(allowed.sorted())") }
        }
        switch resource {
        case .patient(let r):
            oneOf(r.gender, ["male", "female", "other", "unknown"], "Patient.gender")
        case .encounter(let r):
            require(r.status != nil, "Encounter.status")
            oneOf(
                r.status,
                [
                    "planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled", "entered-in-error",
                    "unknown",
                ],
                "Encounter.status")
            require(r.class != nil, "Encounter.class")
        case .condition(let r):
            require(r.subject != nil, "Condition.subject")
        case .appointment(let r):
            require(r.status != nil, "Appointment.status")
            oneOf(
                r.status,
                [
                    "proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow", "entered-in-error",
                    "checked-in", "waitlist",
                ],
                "Appointment.status")
            require(!(r.participant ?? []).isEmpty, "Appointment.participant")
            for (index, participant) in (r.participant ?? []).enumerated() {
                require(participant.status != nil, "Appointment.participant[\(index)].status")
            }
        case .observation(let r):
            require(r.status != nil, "Observation.status")
            oneOf(
                r.status,
                ["registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown"],
                "Observation.status")
            require(r.code != nil, "Observation.code")
        case .medicationStatement(let r):
            require(r.status != nil, "MedicationStatement.status")
            oneOf(
                r.status, ["active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown", "not-taken"],
                "MedicationStatement.status")
            require(r.medicationCodeableConcept != nil || r.medicationReference != nil, "MedicationStatement.medication[x]")
            require(r.subject != nil, "MedicationStatement.subject")
        case .medicationRequest(let r):
            oneOf(
                r.status, ["active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown"],
                "MedicationRequest.status")
            require(r.status != nil, "MedicationRequest.status")
            require(r.intent != nil, "MedicationRequest.intent")
            require(r.medicationCodeableConcept != nil || r.medicationReference != nil, "MedicationRequest.medication[x]")
            require(r.subject != nil, "MedicationRequest.subject")
        case .medicationDispense(let r):
            require(r.status != nil, "MedicationDispense.status")
            require(
                r.medicationCodeableConcept != nil || r.medicationReference != nil, "MedicationDispense.medication[x]")
        case .immunization(let r):
            require(r.status != nil, "Immunization.status")
            oneOf(r.status, ["completed", "entered-in-error", "not-done"], "Immunization.status")
            require(r.vaccineCode != nil, "Immunization.vaccineCode")
            require(r.patient != nil, "Immunization.patient")
            require(r.occurrenceDateTime != nil || r.occurrenceString != nil, "Immunization.occurrence[x]")
        case .allergyIntolerance(let r):
            require(r.patient != nil, "AllergyIntolerance.patient")
        case .carePlan(let r):
            require(r.status != nil, "CarePlan.status")
            require(r.intent != nil, "CarePlan.intent")
            require(r.subject != nil, "CarePlan.subject")
        case .documentReference(let r):
            require(r.status != nil, "DocumentReference.status")
            require(!(r.content ?? []).isEmpty, "DocumentReference.content")
            for (index, content) in (r.content ?? []).enumerated() {
                require(content.attachment != nil, "DocumentReference.content[\(index)].attachment")
            }
        case .communication(let r):
            require(r.status != nil, "Communication.status")
        case .consent(let r):
            require(r.status != nil, "Consent.status")
            require(r.scope != nil, "Consent.scope")
            require(!(r.category ?? []).isEmpty, "Consent.category")
        case .auditEvent(let r):
            require(r.type != nil, "AuditEvent.type")
            require(r.recorded != nil, "AuditEvent.recorded")
            require(!(r.agent ?? []).isEmpty, "AuditEvent.agent")
            for (index, agent) in (r.agent ?? []).enumerated() {
                require(agent.requestor != nil, "AuditEvent.agent[\(index)].requestor")
            }
            require(r.source?.observer != nil, "AuditEvent.source.observer")
        case .subscription(let r):
            require(r.status != nil, "Subscription.status")
            require(r.reason != nil, "Subscription.reason")
            require(r.criteria != nil, "Subscription.criteria")
            require(r.channel?.type != nil, "Subscription.channel.type")
        case .bundle(let r):
            require(r.type != nil, "Bundle.type")
        case .operationOutcome(let r):
            require(!r.issue.isEmpty, "OperationOutcome.issue")
        case .parameters, .organization, .practitioner, .capabilityStatement, .other:
            break
        case .unreadable(let reason):
            problems.append(reason)
        }
        if let json = try? JSONValue.from(resource) {
            problems += codeProblems(in: json, path: resource.resourceType ?? "Resource")
        }
        return problems
    }

    /// Well-formedness of Danish identifiers and codes anywhere in a resource.
    static func codeProblems(in json: JSONValue, path: String) -> [String] {
        var problems: [String] = []
        switch json {
        case .object(let members):
            if let system = members["system"]?.stringValue {
                let code = members["code"]?.stringValue ?? members["value"]?.stringValue
                if let problem = check(system: system, code: code, isIdentifier: members["code"] == nil) {
                    problems.append("\(path): \(problem)")
                }
            }
            for (key, value) in members.sorted(by: { $0.key < $1.key }) {
                problems += codeProblems(in: value, path: "\(path).\(key)")
            }
        case .array(let values):
            for (index, value) in values.enumerated() {
                problems += codeProblems(in: value, path: "\(path)[\(index)]")
            }
        default:
            break
        }
        return problems
    }

    static func check(system: String, code: String?, isIdentifier: Bool) -> String? {
        guard let code else { return nil }
        func matches(_ pattern: String) -> Bool {
            code.range(of: pattern, options: .regularExpression) != nil
        }
        switch system {
        case DanishSystems.cpr where isIdentifier:
            do {
                _ = try CPRNumber(code)
                return nil
            } catch {
                return String(describing: error)
            }
        case DanishSystems.sks:
            return matches("^[A-Z]{2}[0-9A-Z]{1,8}$") ? nil : "SKS code '\(code)' is malformed"
        case DanishSystems.npu:
            return matches("^(NPU|DNK)[0-9]{5}$") ? nil : "NPU code '\(code)' is malformed"
        case DanishSystems.atc:
            return matches("^[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?$") ? nil : "ATC code '\(code)' is malformed"
        case DanishSystems.municipalityCodes:
            return matches("^[0-9]{3,4}$") ? nil : "municipality code '\(code)' is malformed"
        case DanishSystems.sor where isIdentifier:
            return matches("^[0-9]{6,18}$") ? nil : "SOR code '\(code)' is malformed"
        case DanishSystems.ydernummer where isIdentifier:
            return matches("^[0-9]{6}$") ? nil : "ydernummer '\(code)' is malformed"
        default:
            return nil
        }
    }
}

extension JSONValue {
    /// The JSON form of any encodable value.
    public static func from(_ value: some Encodable) throws -> JSONValue {
        try JSONValue.parse(try FHIRJSON.encode(value))
    }
}
