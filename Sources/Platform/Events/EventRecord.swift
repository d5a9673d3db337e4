import Foundation

/// One event as the platform stores it: what happened, to whom (CPR), where, and where the data lives (the focus
/// URL at the source). Never the resource itself, never a name or free text: subscribers fetch at the source.
public struct EventRecord: Sendable, Hashable, Codable {
    /// Assigned by the storage.
    public var id: Int64?
    /// Identifies the source's notification (source, its subscription, its event number) so a retried delivery is
    /// stored once.
    public var sourceKey: String
    public var sourceID: String
    public var topic: String
    public var code: EventCode
    /// Absolute URL of the resource at the source, e.g. `http://127.0.0.1:8101/fhir/Encounter/h-enc-1`.
    public var focus: String
    public var patientCPR: String?
    /// SOR code (or ydernummer) of the organisation where it happened.
    public var organization: String?
    /// Directory name of that organisation ("Akutmodtagelsen, Herlev"): not patient data.
    public var organizationName: String?
    public var municipality: String?
    /// When it happened, by the source's clock.
    public var occurred: Date
    /// When the engine accepted it.
    public var accepted: Date

    public init(
        id: Int64? = nil, sourceKey: String, sourceID: String, topic: String, code: EventCode, focus: String,
        patientCPR: String?, organization: String?, organizationName: String?, municipality: String?, occurred: Date,
        accepted: Date
    ) {
        self.id = id
        self.sourceKey = sourceKey
        self.sourceID = sourceID
        self.topic = topic
        self.code = code
        self.focus = focus
        self.patientCPR = patientCPR
        self.organization = organization
        self.organizationName = organizationName
        self.municipality = municipality
        self.occurred = occurred
        self.accepted = accepted
    }
}

/// An event with its number in one subscription's stream (1, 2, 3, ... with no gaps).
public struct NumberedEvent: Sendable, Hashable {
    public let number: Int64
    public let event: EventRecord

    public init(number: Int64, event: EventRecord) {
        self.number = number
        self.event = event
    }
}
