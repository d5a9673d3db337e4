/// Any resource, decoded to its model type when this module has one. Unknown types are kept as JSON;
/// an entry that could not be read at all is `.unreadable` with the reason.
public indirect enum AnyResource: Sendable, Hashable, Codable {
    case patient(Patient)
    case encounter(Encounter)
    case condition(Condition)
    case appointment(Appointment)
    case observation(Observation)
    case medicationStatement(MedicationStatement)
    case medicationRequest(MedicationRequest)
    case medicationDispense(MedicationDispense)
    case immunization(Immunization)
    case allergyIntolerance(AllergyIntolerance)
    case carePlan(CarePlan)
    case documentReference(DocumentReference)
    case communication(Communication)
    case organization(Organization)
    case practitioner(Practitioner)
    case consent(Consent)
    case auditEvent(AuditEvent)
    case subscription(Subscription)
    case parameters(Parameters)
    case bundle(Bundle)
    case operationOutcome(OperationOutcome)
    case capabilityStatement(CapabilityStatement)
    /// A resource type this module does not model, kept as it came.
    case other(resourceType: String, json: JSONValue)
    /// Content that could not be read as a resource; the reason in words.
    case unreadable(String)

    private struct TypeProbe: Decodable {
        let resourceType: String
    }

    public struct UnknownResourceError: Error, CustomStringConvertible {
        public let description: String
    }

    public init(from decoder: any Decoder) throws {
        let probe: TypeProbe
        do {
            probe = try TypeProbe(from: decoder)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a FHIR resource: resourceType is missing"))
        }
        switch probe.resourceType {
        case Patient.resourceType: self = .patient(try Patient(from: decoder))
        case Encounter.resourceType: self = .encounter(try Encounter(from: decoder))
        case Condition.resourceType: self = .condition(try Condition(from: decoder))
        case Appointment.resourceType: self = .appointment(try Appointment(from: decoder))
        case Observation.resourceType: self = .observation(try Observation(from: decoder))
        case MedicationStatement.resourceType: self = .medicationStatement(try MedicationStatement(from: decoder))
        case MedicationRequest.resourceType: self = .medicationRequest(try MedicationRequest(from: decoder))
        case MedicationDispense.resourceType: self = .medicationDispense(try MedicationDispense(from: decoder))
        case Immunization.resourceType: self = .immunization(try Immunization(from: decoder))
        case AllergyIntolerance.resourceType: self = .allergyIntolerance(try AllergyIntolerance(from: decoder))
        case CarePlan.resourceType: self = .carePlan(try CarePlan(from: decoder))
        case DocumentReference.resourceType: self = .documentReference(try DocumentReference(from: decoder))
        case Communication.resourceType: self = .communication(try Communication(from: decoder))
        case Organization.resourceType: self = .organization(try Organization(from: decoder))
        case Practitioner.resourceType: self = .practitioner(try Practitioner(from: decoder))
        case Consent.resourceType: self = .consent(try Consent(from: decoder))
        case AuditEvent.resourceType: self = .auditEvent(try AuditEvent(from: decoder))
        case Subscription.resourceType: self = .subscription(try Subscription(from: decoder))
        case Parameters.resourceType: self = .parameters(try Parameters(from: decoder))
        case Bundle.resourceType: self = .bundle(try Bundle(from: decoder))
        case OperationOutcome.resourceType: self = .operationOutcome(try OperationOutcome(from: decoder))
        case CapabilityStatement.resourceType: self = .capabilityStatement(try CapabilityStatement(from: decoder))
        default: self = .other(resourceType: probe.resourceType, json: try JSONValue(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .patient(let r): try r.encode(to: encoder)
        case .encounter(let r): try r.encode(to: encoder)
        case .condition(let r): try r.encode(to: encoder)
        case .appointment(let r): try r.encode(to: encoder)
        case .observation(let r): try r.encode(to: encoder)
        case .medicationStatement(let r): try r.encode(to: encoder)
        case .medicationRequest(let r): try r.encode(to: encoder)
        case .medicationDispense(let r): try r.encode(to: encoder)
        case .immunization(let r): try r.encode(to: encoder)
        case .allergyIntolerance(let r): try r.encode(to: encoder)
        case .carePlan(let r): try r.encode(to: encoder)
        case .documentReference(let r): try r.encode(to: encoder)
        case .communication(let r): try r.encode(to: encoder)
        case .organization(let r): try r.encode(to: encoder)
        case .practitioner(let r): try r.encode(to: encoder)
        case .consent(let r): try r.encode(to: encoder)
        case .auditEvent(let r): try r.encode(to: encoder)
        case .subscription(let r): try r.encode(to: encoder)
        case .parameters(let r): try r.encode(to: encoder)
        case .bundle(let r): try r.encode(to: encoder)
        case .operationOutcome(let r): try r.encode(to: encoder)
        case .capabilityStatement(let r): try r.encode(to: encoder)
        case .other(_, let json): try json.encode(to: encoder)
        case .unreadable(let reason):
            throw EncodingError.invalidValue(
                reason, .init(codingPath: encoder.codingPath, debugDescription: "an unreadable resource cannot be written"))
        }
    }

    /// The resource type name, or nil for unreadable content.
    public var resourceType: String? {
        switch self {
        case .patient: return Patient.resourceType
        case .encounter: return Encounter.resourceType
        case .condition: return Condition.resourceType
        case .appointment: return Appointment.resourceType
        case .observation: return Observation.resourceType
        case .medicationStatement: return MedicationStatement.resourceType
        case .medicationRequest: return MedicationRequest.resourceType
        case .medicationDispense: return MedicationDispense.resourceType
        case .immunization: return Immunization.resourceType
        case .allergyIntolerance: return AllergyIntolerance.resourceType
        case .carePlan: return CarePlan.resourceType
        case .documentReference: return DocumentReference.resourceType
        case .communication: return Communication.resourceType
        case .organization: return Organization.resourceType
        case .practitioner: return Practitioner.resourceType
        case .consent: return Consent.resourceType
        case .auditEvent: return AuditEvent.resourceType
        case .subscription: return Subscription.resourceType
        case .parameters: return Parameters.resourceType
        case .bundle: return Bundle.resourceType
        case .operationOutcome: return OperationOutcome.resourceType
        case .capabilityStatement: return CapabilityStatement.resourceType
        case .other(let type, _): return type
        case .unreadable: return nil
        }
    }

    /// The modelled resource, if it is one.
    public var resource: (any FHIRResource)? {
        switch self {
        case .patient(let r): return r
        case .encounter(let r): return r
        case .condition(let r): return r
        case .appointment(let r): return r
        case .observation(let r): return r
        case .medicationStatement(let r): return r
        case .medicationRequest(let r): return r
        case .medicationDispense(let r): return r
        case .immunization(let r): return r
        case .allergyIntolerance(let r): return r
        case .carePlan(let r): return r
        case .documentReference(let r): return r
        case .communication(let r): return r
        case .organization(let r): return r
        case .practitioner(let r): return r
        case .consent(let r): return r
        case .auditEvent(let r): return r
        case .subscription(let r): return r
        case .parameters(let r): return r
        case .bundle(let r): return r
        case .operationOutcome(let r): return r
        case .capabilityStatement(let r): return r
        case .other, .unreadable: return nil
        }
    }

    /// The resource id, for modelled and unmodelled types.
    public var id: String? {
        // Straight from each case: going through `resource` would box the whole struct in an existential first.
        switch self {
        case .patient(let r): return r.id
        case .encounter(let r): return r.id
        case .condition(let r): return r.id
        case .appointment(let r): return r.id
        case .observation(let r): return r.id
        case .medicationStatement(let r): return r.id
        case .medicationRequest(let r): return r.id
        case .medicationDispense(let r): return r.id
        case .immunization(let r): return r.id
        case .allergyIntolerance(let r): return r.id
        case .carePlan(let r): return r.id
        case .documentReference(let r): return r.id
        case .communication(let r): return r.id
        case .organization(let r): return r.id
        case .practitioner(let r): return r.id
        case .consent(let r): return r.id
        case .auditEvent(let r): return r.id
        case .subscription(let r): return r.id
        case .parameters(let r): return r.id
        case .bundle(let r): return r.id
        case .operationOutcome(let r): return r.id
        case .capabilityStatement(let r): return r.id
        case .other(_, let json): return json["id"]?.stringValue
        case .unreadable: return nil
        }
    }

    /// A decoding error in words a person can act on: where, and what was wrong.
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        func path(_ codingPath: [any CodingKey]) -> String {
            let text = codingPath.map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
            return text.isEmpty ? "the document" : String(text.drop { $0 == "." })
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): missing \(type)"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): required element is missing"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return String(describing: error)
        }
    }
}
