// Gateway: which subscribers may be told of an event (the engine's delivery gate).

/// Notifications tell no more than may be opened: an event is delivered to a subscriber only when the gateway would
/// let them read the patient's data from that source now (relationship and the patient's blocks, no emergency
/// access), decided afresh when the event arrives.
extension Gateway: DeliveryGate {
    public func eventArrived(_ event: EventRecord) {
        if let cpr = event.patientCPR { forget(cpr: cpr) }
    }

    public func mayBeTold(_ audience: Identity, about event: EventRecord) async -> Bool {
        switch audience.role {
        case .citizen:
            return event.patientCPR != nil && event.patientCPR == audience.cpr
        case .logAuditor, .researcher, .dataController:
            return false
        case .edDoctor, .doctor, .gp, .homeNurse:
            break
        }
        // An app's subscription: only what its scopes let it read (of this type, from this source, of this patient).
        if audience.app != nil {
            let source = sources.first { $0.id == event.sourceID }
            guard
                await appDenial(
                    audience, source: source, type: Self.focusType(event.focus) ?? "-", .read, parameters: [],
                    cpr: event.patientCPR) == nil
            else { return false }
        }
        // An event that names no patient tells nothing about a person (its focus is read through the gateway).
        guard let cpr = event.patientCPR else { return true }
        guard let source = sources.first(where: { $0.id == event.sourceID }) else { return false }
        if case .permit = await decide(audience, cpr: cpr, source: source, emergencyReason: nil) { return true }
        return false
    }

    /// The resource type of an event's focus (`Encounter` of `https://source/fhir/Encounter/123`).
    static func focusType(_ focus: String) -> String? {
        let parts = focus.split(separator: "/").map(String.init)
        guard parts.count >= 2 else { return nil }
        let type = parts[parts.count - 2]
        return isResourceType(type) ? type : nil
    }

    /// Whether an app may subscribe to a topic: it must be able to read every resource type the topic is about, for
    /// more than one patient (`system/` or `user/` scopes; a `patient/` scope is for the launch's patient only).
    public func appMaySubscribe(_ identity: Identity, topicTypes: [String]) async throws(GatewayDenial) {
        guard identity.app != nil else { return }
        for type in topicTypes {
            if let denial = await appDenial(identity, source: nil, type: type, .read, parameters: [], cpr: nil) {
                throw denial
            }
        }
    }
}
