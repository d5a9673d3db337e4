import FHIR
import Words

/// FHIR codes as phrases for the edge to put in words (`Assets/strings/*.toml`): a status code the catalog knows is
/// `status.<family>.<code>`, an interpretation `interpretation.<code>`, an encounter class `encounter-class.<code>`.
/// A code the catalog does not know is shown as the source sent it (sanitized), never dropped.
public enum CodePhrases {
    /// The codes the catalogs have words for, by family; the catalog test holds the two to each other.
    public static let families: [String: Set<String>] = [
        "status.encounter": [
            "in-progress", "finished", "planned", "arrived", "triaged", "onleave", "cancelled", "entered-in-error",
        ],
        "status.condition": ["active", "recurrence", "relapse", "inactive", "remission", "resolved"],
        "status.appointment": [
            "proposed", "pending", "booked", "upcoming", "arrived", "fulfilled", "cancelled", "noshow", "checked-in",
            "waitlist", "entered-in-error",
        ],
        "status.medication": [
            "active", "completed", "stopped", "on-hold", "intended", "not-taken", "entered-in-error", "unknown",
        ],
        "status.medication-request": [
            "active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown",
        ],
        "status.immunization": ["completed", "entered-in-error", "not-done"],
        "status.careplan": ["active", "completed", "revoked", "on-hold", "draft", "entered-in-error"],
        "status.document": ["current", "superseded", "entered-in-error"],
        "status.allergy": ["active", "inactive", "resolved"],
        "status.observation": [
            "final", "preliminary", "amended", "corrected", "registered", "cancelled", "entered-in-error",
        ],
        "interpretation": ["H", "L", "HH", "LL", "A", "AA"],
        "encounter-class": ["EMER", "IMP", "AMB", "HH", "VR"],
    ]

    /// A code of a family as a phrase; nil for no code.
    public static func phrase(_ family: String, _ code: String?) -> Phrase? {
        guard let code else { return nil }
        if families[family]?.contains(code) == true { return Phrase("\(family).\(code)") }
        return .verbatim(TextSanitizer.cleanLine(code, maxLength: 40))
    }

    /// An appointment's status: a booked one still to come is "upcoming".
    public static func appointmentStatus(_ code: String?, upcoming: Bool) -> Phrase? {
        phrase("status.appointment", code == "booked" && upcoming ? "upcoming" : code)
    }

    /// An interpretation code as a phrase, so abnormal results never depend on colour; nil for normal.
    public static func interpretation(_ code: String?) -> Phrase? {
        code == "N" ? nil : phrase("interpretation", code)
    }

    /// An encounter's class: the catalog's word, else the source's display, else "contact".
    public static func encounterClass(_ code: String?, display: String?) -> Phrase {
        if let code, families["encounter-class"]?.contains(code) == true { return Phrase("encounter-class.\(code)") }
        if let display { return .verbatim(TextSanitizer.cleanLine(display)) }
        return Phrase("item.contact")
    }
}

extension CPRNumber.ValidationError: Phrased {
    /// What is wrong with a CPR number, for the edge to put in words (`cpr.*`).
    public var phrase: Phrase {
        switch self {
        case .wrongLength(let text): Phrase("cpr.wrong-length", ["text": .text(TextSanitizer.cleanLine(text, maxLength: 40))])
        case .notDigits(let text): Phrase("cpr.not-digits", ["text": .text(TextSanitizer.cleanLine(text, maxLength: 40))])
        case .noSuchDate(let text): Phrase("cpr.no-such-date", ["text": .text(TextSanitizer.cleanLine(text, maxLength: 40))])
        }
    }
}
