import FHIR

/// A subscription topic: a kind of change sources announce and subscribers can ask for, with the filters it allows.
/// Published at `GET /SubscriptionTopic` in the shape of an R5 SubscriptionTopic.
public struct EventTopic: Sendable, Hashable {
    /// Last part of the canonical URL, e.g. `akut-ankomst`.
    public let slug: String
    /// The codes the topic covers; corrections and cancellations of hospital codes are covered with their code.
    public let codes: [EventCode]
    public let title: String
    public let description: String
    /// Resource types whose changes the topic is about.
    public let resourceTypes: [String]
    /// Filter keys a subscription may use with this topic.
    public let filters: [String]

    public static let canonicalBase = "https://sundhedscloud.dk/fhir/SubscriptionTopic/"

    public var canonical: String { Self.canonicalBase + slug }

    /// True if an event with `code` belongs to this topic.
    public func covers(_ code: EventCode) -> Bool {
        codes.contains(code.base)
    }

    static let commonFilters = ["patient", "organization", "municipality"]

    public static let all: [EventTopic] = [
        EventTopic(
            slug: "akut-ankomst", codes: [.acuteArrival], title: "Patient i akutmodtagelsen",
            description: "En akut ambulant kontakt er startet (MedCom STAA, Encounter.class EMER).",
            resourceTypes: ["Encounter"], filters: commonFilters),
        EventTopic(
            slug: "indlaeggelse", codes: [.admission], title: "Indlæggelse",
            description: "Patienten er indlagt (MedCom STIN, Encounter.class IMP).", resourceTypes: ["Encounter"],
            filters: commonFilters),
        EventTopic(
            slug: "orlov", codes: [.leaveStart, .leaveEnd], title: "Orlov start og slut",
            description: "Orlov fra indlæggelse starter (STOR) eller slutter (SLOR).", resourceTypes: ["Encounter"],
            filters: commonFilters),
        EventTopic(
            slug: "udskrivning", codes: [.discharge], title: "Udskrivning",
            description: "Patienten er udskrevet til hjemmet (MedCom SLHJ).", resourceTypes: ["Encounter"],
            filters: commonFilters),
        EventTopic(
            slug: "doedsfald", codes: [.death], title: "Dødsfald", description: "Patienten er død (MedCom MORS).",
            resourceTypes: ["Patient", "Encounter"], filters: commonFilters),
        EventTopic(
            slug: "hospitalsnotifikation", codes: EventCode.hospitalNotifications, title: "Alle hospitalsnotifikationer",
            description:
                "Alle MedCom HospitalNotification-hændelser (STAA, STIN, STOR, SLOR, SLHJ, MORS) med rettelser (RE_) og annulleringer (AN_); filtrér med code.",
            resourceTypes: ["Encounter", "Patient"], filters: commonFilters + ["code"]),
        EventTopic(
            slug: "laboratoriesvar", codes: [.labResult], title: "Nyt laboratoriesvar",
            description: "Et nyt eller rettet laboratoriesvar.", resourceTypes: ["Observation", "DiagnosticReport"],
            filters: commonFilters),
        EventTopic(
            slug: "epikrise", codes: [.dischargeLetter], title: "Ny epikrise",
            description: "Et nyt udskrivningsbrev eller anden epikrise.",
            resourceTypes: ["DocumentReference", "Composition"], filters: commonFilters),
        EventTopic(
            slug: "hjemmeplejenotat", codes: [.homeCareNote], title: "Nyt hjemmeplejenotat",
            description: "Et nyt notat fra hjemmeplejen eller hjemmesygeplejen.", resourceTypes: ["Communication"],
            filters: commonFilters),
        EventTopic(
            slug: "aftale", codes: [.appointmentBooked, .appointmentChanged], title: "Aftale booket eller ændret",
            description: "En aftale er booket, flyttet eller aflyst.", resourceTypes: ["Appointment"],
            filters: commonFilters),
    ]

    /// The citizens' choices changing (Consent in a preferences source): the platform's own topic, not among `all`, so
    /// it is not published and no subscription can name it. Its events reach the node's own observers (the gateway
    /// forgets what it knew of the patient's blocks; the analysis platform removes a citizen who opted out).
    public static let preferences = EventTopic(
        slug: "samtykke", codes: [.consentChanged], title: "Borgerens valg ændret",
        description: "En borger har ændret et samtykke eller fravalg (kun til platformens egne tjenester).",
        resourceTypes: ["Consent"], filters: [])

    /// The topic with this canonical URL (or bare slug).
    public static func named(_ canonicalOrSlug: String) -> EventTopic? {
        let slug =
            canonicalOrSlug.hasPrefix(canonicalBase) ? String(canonicalOrSlug.dropFirst(canonicalBase.count)) : canonicalOrSlug
        return all.first { $0.slug == slug }
    }

    /// The narrowest topic of a code (never the umbrella `hospitalsnotifikation`).
    public static func primary(for code: EventCode) -> EventTopic? {
        (all + [preferences]).first { $0.slug != "hospitalsnotifikation" && $0.covers(code) }
    }

    /// The topic as an R5-shaped SubscriptionTopic resource.
    public var resource: JSONValue {
        .object([
            "resourceType": .string("SubscriptionTopic"),
            "id": .string(slug),
            "url": .string(canonical),
            "title": .string(title),
            "status": .string("active"),
            "description": .string(description),
            "resourceTrigger": .array(
                resourceTypes.map { type in
                    .object([
                        "resource": .string("http://hl7.org/fhir/StructureDefinition/\(type)"),
                        "supportedInteraction": .array([.string("create"), .string("update")]),
                    ])
                }),
            "eventTrigger": .array(
                codes.map { code in
                    .object([
                        "event": .object([
                            "coding": .array([.object(["system": .string(EventCode.system), "code": .string(code.rawValue)])])
                        ]),
                        "resource": .string("http://hl7.org/fhir/StructureDefinition/\(resourceTypes[0])"),
                    ])
                }),
            "canFilterBy": .array(
                filters.map { key in
                    .object([
                        "filterParameter": .string(key),
                        "description": .string(Self.filterDescriptions[key] ?? key),
                    ])
                }),
        ])
    }

    static let filterDescriptions: [String: String] = [
        "patient": "CPR-numre, kommasepareret (også urn:oid:1.2.208.176.1.2|CPR)",
        "organization": "SOR-kode for afdelingen eller organisationen (også urn:oid:1.2.208.176.1.1|SOR)",
        "municipality": "Kommunekode for patientens bopæl (dk-core-municipality-codes, f.eks. 0163)",
        "code": "Hændelseskoder, kommasepareret (STAA, STIN, STOR, SLOR, SLHJ, MORS og RE_/AN_-varianterne)",
    ]
}
