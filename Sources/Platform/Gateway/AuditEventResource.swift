import FHIR
import Foundation

/// An audit entry as a FHIR R4 AuditEvent (type rest, subtype read/search-type, purposeOfEvent from v3 ActReason,
/// the patient as an entity with the CPR identifier, the chain position and hashes as extensions).
public enum AuditEventResource {
    public static let chainExtension = "https://sundhedscloud.dk/fhir/StructureDefinition/audit-chain"
    public static let emergencyExtension = "https://sundhedscloud.dk/fhir/StructureDefinition/audit-emergency"
    /// The apps of the app cloud, by client id.
    public static let appSystem = "https://sundhedscloud.dk/fhir/NamingSystem/app"
    /// The demo's organisations outside the health service (a university, an authority), named by the demo itself.
    public static let demoOrganizationSystem = "https://sundhedscloud.dk/fhir/NamingSystem/demo-organization"

    public static func resource(_ entry: AuditEntry) -> JSONValue {
        let purpose: JSONValue =
            switch entry.purpose {
            case "EMERGENCY":
                .object([
                    "coding": .array([
                        .object([
                            "system": .string("http://terminology.hl7.org/CodeSystem/v3-ActReason"), "code": .string("ETREAT"),
                            "display": .string("Emergency Treatment"),
                        ])
                    ]),
                    "text": .string("EMERGENCY (værdispring)"),
                ])
            case "PATRQT":
                coded("http://terminology.hl7.org/CodeSystem/v3-ActReason", "PATRQT", "patient requested")
            case "HRESCH":
                coded("http://terminology.hl7.org/CodeSystem/v3-ActReason", "HRESCH", "healthcare research")
            default:
                coded("http://terminology.hl7.org/CodeSystem/v3-ActReason", entry.purpose, "treatment")
            }
        var agent: JSONObject = [
            "who": .object([
                "identifier": .object([
                    "system": .string("https://sundhedscloud.dk/fhir/NamingSystem/user"), "value": .string(entry.userID),
                ]),
                "display": .string(entry.userName),
            ]),
            "requestor": .bool(true),
            "role": .array([.object(["text": .string(entry.role)])]),
            "purposeOfUse": .array([purpose]),
        ]
        if let client = entry.client { agent["network"] = .object(["address": .string(client), "type": .string("2")]) }
        var agents: [JSONValue] = [.object(agent)]
        if let organization = entry.organization {
            agents.append(
                .object([
                    "who": .object([
                        "identifier": .object([
                            "system": .string(
                                !organization.allSatisfy(\.isNumber)
                                    ? demoOrganizationSystem
                                    : organization.count == 6 ? DanishSystems.ydernummer : DanishSystems.sor),
                            "value": .string(organization),
                        ]),
                        "display": .string(entry.organizationName ?? organization),
                    ]),
                    "requestor": .bool(false),
                    "role": .array([.object(["text": .string("organisation")])]),
                ]))
        }
        if let app = entry.appID {
            // The app the access went through (DICOM 110150 "Application").
            agents.append(
                .object([
                    "type": .object([
                        "coding": .array([
                            .object([
                                "system": .string("http://dicom.nema.org/resources/ontology/DCM"),
                                "code": .string("110150"), "display": .string("Application"),
                            ])
                        ])
                    ]),
                    "who": .object([
                        "identifier": .object(["system": .string(appSystem), "value": .string(app)]),
                        "display": .string(entry.appName ?? app),
                    ]),
                    "requestor": .bool(false),
                    "role": .array([.object(["text": .string("app")])]),
                ]))
        }
        var entities: [JSONValue] = []
        if let cpr = entry.patientCPR {
            entities.append(
                .object([
                    "what": .object([
                        "type": .string("Patient"),
                        "identifier": .object(["system": .string(DanishSystems.cpr), "value": .string(cpr)]),
                    ]),
                    "type": .object([
                        "system": .string("http://terminology.hl7.org/CodeSystem/audit-entity-type"), "code": .string("1"),
                    ]),
                    "role": .object([
                        "system": .string("http://terminology.hl7.org/CodeSystem/object-role"), "code": .string("1"),
                    ]),
                ]))
        }
        if let source = entry.sourceID {
            entities.append(
                .object([
                    "what": .object(["display": .string(source)]),
                    "name": .string(source),
                    "description": .string(entry.resourceTypes.joined(separator: ", ")),
                ]))
        }
        var extensions: [JSONValue] = [
            .object([
                "url": .string(chainExtension),
                "extension": .array([
                    .object(["url": .string("sequence"), "valueInteger64": .string(String(entry.sequence))]),
                    .object(["url": .string("previousHash"), "valueString": .string(entry.previousHash)]),
                    .object(["url": .string("hash"), "valueString": .string(entry.hash)]),
                ]),
            ])
        ]
        if entry.emergency {
            extensions.append(.object(["url": .string(emergencyExtension), "valueBoolean": .bool(true)]))
        }
        var resource: JSONObject = [
            "resourceType": .string("AuditEvent"),
            "id": .string("audit-\(entry.sequence)"),
            "extension": .array(extensions),
            "type": .object([
                "system": .string("http://terminology.hl7.org/CodeSystem/audit-event-type"), "code": .string("rest"),
                "display": .string("RESTful Operation"),
            ]),
            "subtype": .array([
                .object([
                    "system": .string("http://hl7.org/fhir/restful-interaction"),
                    "code": .string(
                        entry.action == "read" ? "read" : entry.action.hasPrefix("research-") ? "operation" : "search-type"),
                ])
            ]),
            "action": .string("R"),
            "recorded": .string(FHIRDateTime(date: entry.recorded, precision: .fraction).text),
            "outcome": .string(entry.outcome == "success" ? "0" : "4"),
            "purposeOfEvent": .array([purpose]),
            "agent": .array(agents),
            "source": .object([
                "site": .string(entry.sourceID ?? "gateway"),
                "observer": .object(["display": .string("SundhedsCloud integrationsgateway")]),
            ]),
            "entity": .array(entities),
        ]
        var description: [String] = []
        if entry.outcome != "success" { description.append(entry.outcome == "withheld" ? "tilbageholdt" : "afvist") }
        if let reason = entry.reason { description.append(reason) }
        if !description.isEmpty { resource["outcomeDesc"] = .string(description.joined(separator: ": ")) }
        return .object(resource)
    }

    static func coded(_ system: String, _ code: String, _ display: String) -> JSONValue {
        .object([
            "coding": .array([.object(["system": .string(system), "code": .string(code), "display": .string(display)])])
        ])
    }
}
