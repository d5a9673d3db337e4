/// What happened, as a code: MedCom HospitalNotification codes (`STAA`, `STIN`, `STOR`, `SLOR`, `SLHJ`, `MORS`) with
/// their correction (`RE_`) and cancellation (`AN_`) variants, and our own codes for the other changes.
public struct EventCode: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public static let acuteArrival = EventCode(rawValue: "STAA")
    public static let admission = EventCode(rawValue: "STIN")
    public static let leaveStart = EventCode(rawValue: "STOR")
    public static let leaveEnd = EventCode(rawValue: "SLOR")
    public static let discharge = EventCode(rawValue: "SLHJ")
    public static let death = EventCode(rawValue: "MORS")
    public static let labResult = EventCode(rawValue: "lab-result")
    public static let dischargeLetter = EventCode(rawValue: "discharge-letter")
    public static let homeCareNote = EventCode(rawValue: "home-care-note")
    public static let appointmentBooked = EventCode(rawValue: "appointment-booked")
    public static let appointmentChanged = EventCode(rawValue: "appointment-changed")
    /// A citizen's choice changed in a preferences source (a block, an opt-out of secondary use): for the platform's
    /// own services only (no subscription can ask for it; see `EventTopic.preferences`).
    public static let consentChanged = EventCode(rawValue: "consent-changed")

    /// The six MedCom HospitalNotification codes.
    public static let hospitalNotifications: [EventCode] = [
        .acuteArrival, .admission, .leaveStart, .leaveEnd, .discharge, .death,
    ]

    /// Every code an event can carry, corrections and cancellations included.
    public static let all: [EventCode] =
        hospitalNotifications + hospitalNotifications.map(\.correction) + hospitalNotifications.map(\.cancellation) + [
            .labResult, .dischargeLetter, .homeCareNote, .appointmentBooked, .appointmentChanged,
        ]

    /// `STAA` for `RE_STAA` and `AN_STAA`; the code itself otherwise.
    public var base: EventCode {
        for prefix in ["RE_", "AN_"] where rawValue.hasPrefix(prefix) {
            return EventCode(rawValue: String(rawValue.dropFirst(prefix.count)))
        }
        return self
    }

    public var isCorrection: Bool { rawValue.hasPrefix("RE_") }
    public var isCancellation: Bool { rawValue.hasPrefix("AN_") }
    public var isHospitalNotification: Bool { Self.hospitalNotifications.contains(base) }

    public var correction: EventCode { EventCode(rawValue: "RE_" + base.rawValue) }
    public var cancellation: EventCode { EventCode(rawValue: "AN_" + base.rawValue) }

    public var description: String { rawValue }

    /// The coding system of these codes in notifications.
    public static let system = "https://sundhedscloud.dk/fhir/CodeSystem/event-code"
}
