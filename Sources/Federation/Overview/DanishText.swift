import FHIR

/// Danish words for FHIR codes shown to clinicians.
public enum DanishText {
    public static func encounterClass(_ code: String?, display: String?) -> String {
        switch code {
        case "EMER": return "Akut kontakt"
        case "IMP": return "Indlæggelse"
        case "AMB": return "Ambulant besøg"
        case "HH": return "Hjemmebesøg"
        case "VR": return "Virtuelt besøg"
        default: return display.map { TextSanitizer.cleanLine($0) } ?? "Kontakt"
        }
    }

    public static func encounterStatus(_ code: String?) -> String? { map(code, encounterStatuses) }
    public static func conditionStatus(_ code: String?) -> String? { map(code, conditionStatuses) }
    public static func medicationStatus(_ code: String?) -> String? { map(code, medicationStatuses) }
    public static func carePlanStatus(_ code: String?) -> String? { map(code, carePlanStatuses) }
    public static func documentStatus(_ code: String?) -> String? { map(code, documentStatuses) }
    public static func allergyStatus(_ code: String?) -> String? { map(code, allergyStatuses) }
    public static func observationStatus(_ code: String?) -> String? { map(code, observationStatuses) }

    public static func appointmentStatus(_ code: String?, upcoming: Bool) -> String? {
        if code == "booked" { return upcoming ? "kommende" : "booket" }
        return map(code, appointmentStatuses)
    }

    /// An interpretation code as words, so abnormal results never depend on colour.
    public static func interpretation(_ code: String?) -> String? {
        if code == "N" { return nil }
        return map(code, interpretations)
    }

    static func map(_ code: String?, _ words: [String: String]) -> String? {
        guard let code else { return nil }
        return words[code] ?? TextSanitizer.cleanLine(code, maxLength: 40)
    }

    // The word tables, built once: an overview looks up a code for every item.
    static let encounterStatuses = [
        "in-progress": "igangværende", "finished": "afsluttet", "planned": "planlagt", "arrived": "ankommet",
        "triaged": "visiteret", "onleave": "på orlov", "cancelled": "aflyst", "entered-in-error": "fejlregistreret",
    ]
    static let conditionStatuses = [
        "active": "aktiv", "recurrence": "recidiv", "relapse": "tilbagefald", "inactive": "inaktiv",
        "remission": "i remission", "resolved": "afsluttet",
    ]
    static let appointmentStatuses = [
        "proposed": "foreslået", "pending": "afventer", "arrived": "ankommet", "fulfilled": "gennemført",
        "cancelled": "aflyst", "noshow": "udeblevet", "checked-in": "tjekket ind", "waitlist": "venteliste",
        "entered-in-error": "fejlregistreret",
    ]
    static let medicationStatuses = [
        "active": "aktiv", "completed": "afsluttet", "stopped": "seponeret", "on-hold": "pauseret",
        "intended": "planlagt", "not-taken": "tages ikke", "entered-in-error": "fejlregistreret", "unknown": "ukendt",
    ]
    static let carePlanStatuses = [
        "active": "aktiv", "completed": "afsluttet", "revoked": "ophørt", "on-hold": "pauseret", "draft": "kladde",
        "entered-in-error": "fejlregistreret",
    ]
    static let documentStatuses = ["current": "gældende", "superseded": "erstattet", "entered-in-error": "fejlregistreret"]
    static let allergyStatuses = ["active": "aktiv", "inactive": "inaktiv", "resolved": "afsluttet"]
    static let observationStatuses = [
        "final": "endeligt", "preliminary": "foreløbigt", "amended": "rettet", "corrected": "rettet",
        "registered": "registreret", "cancelled": "annulleret", "entered-in-error": "fejlregistreret",
    ]
    static let interpretations = [
        "H": "Høj", "L": "Lav", "HH": "Kritisk høj", "LL": "Kritisk lav", "A": "Afvigende", "AA": "Kritisk afvigende",
    ]
}
