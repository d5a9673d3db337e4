import FHIR
import Foundation

/// One line of "Min log": an access to the patient's data as the gateway logged it (a FHIR AuditEvent).
public struct AccessLogEntry: Sendable, Equatable {
    public var sequence: Int64
    public var recorded: Date
    public var who: String
    public var role: String
    public var organization: String?
    public var source: String?
    public var resourceTypes: String
    public var emergency: Bool
    /// success | denied | withheld (from AuditEvent.outcome and outcomeDesc)
    public var outcome: String
    public var reason: String?
    /// The CPR number of the patient looked up (the AuditEvent's Patient entity), formatted "DDMMYY-SSSS".
    public var patientCPR: String?
    /// The app the access went through (the AuditEvent's agent in the role `app`), by name.
    public var app: String?

    public init?(_ event: JSONValue) {
        guard event["resourceType"]?.stringValue == "AuditEvent",
            let recorded = event["recorded"]?.stringValue.flatMap({ try? FHIRDateTime($0) })?.lowerBound
        else { return nil }
        let agents = event["agent"]?.listValue ?? []
        let person = agents.first { $0["requestor"]?.boolValue == true } ?? agents.first
        func isApp(_ agent: JSONValue) -> Bool { agent["role"]?.listValue.first?["text"]?.stringValue == "app" }
        let organization = agents.first { $0["requestor"]?.boolValue == false && !isApp($0) }
        let app = agents.first(where: isApp)
        let chain = (event["extension"]?.listValue ?? []).first { $0["url"]?.stringValue?.hasSuffix("audit-chain") == true }
        let sequence = (chain?["extension"]?.listValue ?? []).first { $0["url"]?.stringValue == "sequence" }?[
            "valueInteger64"]?.stringValue.flatMap { Int64($0) }
        let sourceEntity = (event["entity"]?.listValue ?? []).first { $0["name"] != nil }
        let clean = { (text: String?) in text.map { TextSanitizer.cleanLine($0, maxLength: 200) } }
        self.sequence = sequence ?? 0
        self.recorded = recorded
        self.who = clean(person?["who"]?["display"]?.stringValue) ?? "?"
        self.role = clean(person?["role"]?.listValue.first?["text"]?.stringValue) ?? ""
        self.organization = clean(organization?["who"]?["display"]?.stringValue)
        self.app = clean(app?["who"]?["display"]?.stringValue)
        self.source = clean(sourceEntity?["name"]?.stringValue)
        self.resourceTypes = clean(sourceEntity?["description"]?.stringValue) ?? ""
        let patientEntity = (event["entity"]?.listValue ?? []).first {
            $0["what"]?["identifier"]?["system"]?.stringValue == DanishSystems.cpr
        }
        self.patientCPR =
            patientEntity?["what"]?["identifier"]?["value"]?.stringValue.flatMap { try? CPRNumber($0) }?
            .formatted
        self.emergency = (event["extension"]?.listValue ?? []).contains {
            $0["url"]?.stringValue?.hasSuffix("audit-emergency") == true && $0["valueBoolean"]?.boolValue == true
        }
        let description = event["outcomeDesc"]?.stringValue
        if event["outcome"]?.stringValue == "0" {
            self.outcome = "success"
            self.reason = clean(description)
        } else {
            self.outcome = description?.hasPrefix("tilbageholdt") == true ? "withheld" : "denied"
            self.reason = clean(description)
        }
    }
}
