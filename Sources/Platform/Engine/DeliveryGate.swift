import Foundation

/// Who may be told of an event. A notification says what happened to whom; it must never tell a subscriber more
/// than they may open. Behind a gateway the engine asks it, for every event and every distinct subscriber, before
/// the event is numbered in that subscriber's subscription: a home nurse's municipality subscription delivers only
/// citizens she has a care relationship with at that moment, an ED doctor's only patients at her department, a
/// citizen only their own events.
public protocol DeliveryGate: Sendable {
    /// An event arrived (before it is delivered): what was concluded about its patient is decided afresh.
    func eventArrived(_ event: EventRecord)
    /// Whether `audience` (a subscription's owner, as the gateway knew them) may be told of `event` now. An answer
    /// that cannot be had (a source that does not answer) is no (fail closed).
    func mayBeTold(_ audience: Identity, about event: EventRecord) async -> Bool
}
