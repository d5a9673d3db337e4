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
        case .logAuditor:
            return false
        case .edDoctor, .doctor, .gp, .homeNurse:
            break
        }
        // An event that names no patient tells nothing about a person (its focus is read through the gateway).
        guard let cpr = event.patientCPR else { return true }
        guard let source = sources.first(where: { $0.id == event.sourceID }) else { return false }
        if case .permit = await decide(audience, cpr: cpr, source: source, emergencyReason: nil) { return true }
        return false
    }
}
