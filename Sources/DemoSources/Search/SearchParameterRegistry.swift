/// The search parameters each resource type supports, named as in FHIR R4.
public enum SearchParameterRegistry {
    typealias P = SearchParameterDefinition

    static let common: [P] = [
        P("_id", .token, ["id"], "Logisk id"),
        P("_lastUpdated", .date, ["meta.lastUpdated"], "Sidst ændret"),
    ]

    static func subjectParams(_ path: String = "subject") -> [P] {
        [
            P("patient", .reference, [path], target: "Patient", "Patienten (Patient/id, id eller absolut URL)"),
            P("subject", .reference, [path], "Emnet (Patient/id)"),
        ]
    }

    static let identifier = P("identifier", .token, ["identifier"], "Identifikator (system|værdi)")

    public static let byType: [String: [SearchParameterDefinition]] = [
        "Patient": [
            identifier,
            P("name", .string, ["name"], "Navn (begyndelse af fornavn, efternavn eller tekst)"),
            P("family", .string, ["name.family"], "Efternavn"),
            P("given", .string, ["name.given"], "Fornavn"),
            P("birthdate", .date, ["birthDate"], "Fødselsdato"),
            P("gender", .token, ["gender"], "Køn"),
            P("general-practitioner", .reference, ["generalPractitioner"], "Egen læge"),
            P("organization", .reference, ["managingOrganization"], "Ansvarlig organisation"),
        ],
        "Encounter": [identifier] + subjectParams() + [
            P("date", .date, ["period"], "Kontaktens periode"),
            P("status", .token, ["status"], "Status"),
            P("class", .token, ["class"], "Kontaktklasse (EMER, IMP, AMB)"),
            P("type", .token, ["type"], "Kontakttype"),
            P("service-provider", .reference, ["serviceProvider"], "Afdeling"),
            P("episode-of-care", .reference, ["episodeOfCare"], "Forløb"),
            P("reason-code", .token, ["reasonCode"], "Kontaktårsag"),
        ],
        "Condition": [identifier] + subjectParams() + [
            P("code", .token, ["code"], "Diagnosekode (SKS)"),
            P("clinical-status", .token, ["clinicalStatus"], "Klinisk status"),
            P("category", .token, ["category"], "Kategori"),
            P("onset-date", .date, ["onsetDateTime", "onsetPeriod"], "Debut"),
            P("recorded-date", .date, ["recordedDate"], "Registreret"),
            P("encounter", .reference, ["encounter"], "Kontakt"),
        ],
        "Appointment": [
            identifier,
            P("patient", .reference, ["participant.actor"], target: "Patient", "Patienten blandt deltagerne"),
            P("actor", .reference, ["participant.actor"], "En deltager"),
            P("practitioner", .reference, ["participant.actor"], target: "Practitioner", "Behandleren"),
            P("date", .date, ["start"], "Starttidspunkt"),
            P("status", .token, ["status"], "Status"),
            P("service-type", .token, ["serviceType"], "Konsultationstype"),
        ],
        "Observation": [identifier] + subjectParams() + [
            P("code", .token, ["code"], "Analysekode (NPU, LOINC)"),
            P("category", .token, ["category"], "Kategori (laboratory, vital-signs)"),
            P("date", .date, ["effectiveDateTime", "effectivePeriod", "effectiveInstant"], "Prøvetidspunkt"),
            P("status", .token, ["status"], "Status"),
            P("encounter", .reference, ["encounter"], "Kontakt"),
        ],
        "MedicationStatement": [identifier] + subjectParams() + [
            P("status", .token, ["status"], "Status"),
            P("code", .token, ["medicationCodeableConcept"], "Lægemiddel (ATC)"),
            P("effective", .date, ["effectiveDateTime", "effectivePeriod"], "Behandlingsperiode"),
            P("category", .token, ["category"], "Kategori"),
        ],
        // The medication card (FMK): ordinations and their effectuations.
        "MedicationRequest": [identifier] + subjectParams() + [
            P("status", .token, ["status"], "Status"),
            P("intent", .token, ["intent"], "Hensigt"),
            P("code", .token, ["medicationCodeableConcept"], "Lægemiddel (ATC)"),
            P("authoredon", .date, ["authoredOn"], "Ordineret"),
            P("requester", .reference, ["requester"], "Ordinerende"),
        ],
        "MedicationDispense": [identifier] + subjectParams() + [
            P("status", .token, ["status"], "Status"),
            P("code", .token, ["medicationCodeableConcept"], "Lægemiddel (ATC)"),
            P("whenhandedover", .date, ["whenHandedOver"], "Udleveret"),
            P("prescription", .reference, ["authorizingPrescription"], target: "MedicationRequest", "Ordinationen"),
        ],
        // The vaccination register (DDV).
        "Immunization": [identifier] + subjectParams("patient").filter { $0.name == "patient" } + [
            P("status", .token, ["status"], "Status"),
            P("vaccine-code", .token, ["vaccineCode"], "Vaccine"),
            P("date", .date, ["occurrenceDateTime"], "Givet"),
            P("lot-number", .string, ["lotNumber"], "Batchnummer"),
        ],
        "AllergyIntolerance": [
            identifier,
            P("patient", .reference, ["patient"], target: "Patient", "Patienten"),
            P("clinical-status", .token, ["clinicalStatus"], "Klinisk status"),
            P("category", .token, ["category"], "Kategori"),
            P("code", .token, ["code"], "Stof"),
            P("criticality", .token, ["criticality"], "Alvorlighed"),
            P("date", .date, ["recordedDate"], "Registreret"),
        ],
        "CarePlan": [identifier] + subjectParams() + [
            P("status", .token, ["status"], "Status"),
            P("intent", .token, ["intent"], "Hensigt"),
            P("category", .token, ["category"], "Ydelse"),
            P("date", .date, ["period"], "Periode"),
        ],
        "DocumentReference": [identifier] + subjectParams() + [
            P("type", .token, ["type"], "Dokumenttype"),
            P("category", .token, ["category"], "Kategori"),
            P("date", .date, ["date"], "Dokumentdato"),
            P("period", .date, ["context.period"], "Den periode dokumentet dækker"),
            P("status", .token, ["status"], "Status"),
            P("encounter", .reference, ["context.encounter"], "Kontakt"),
        ],
        "Communication": [identifier] + subjectParams() + [
            P("category", .token, ["category"], "Kategori (MedCom CareCommunication)"),
            P("sent", .date, ["sent"], "Sendt"),
            P("received", .date, ["received"], "Modtaget"),
            P("status", .token, ["status"], "Status"),
            P("sender", .reference, ["sender"], "Afsender"),
            P("recipient", .reference, ["recipient"], "Modtager"),
        ],
        "Organization": [
            identifier,
            P("name", .string, ["name", "alias"], "Navn"),
            P("partof", .reference, ["partOf"], "Overordnet organisation"),
        ],
        "Practitioner": [
            identifier,
            P("name", .string, ["name"], "Navn"),
            P("family", .string, ["name.family"], "Efternavn"),
            P("given", .string, ["name.given"], "Fornavn"),
        ],
        "Consent": [identifier] + subjectParams("patient").filter { $0.name == "patient" } + [
            P("status", .token, ["status"], "Status"),
            P("category", .token, ["category"], "Kategori"),
            P("scope", .token, ["scope"], "Omfang"),
            P("date", .date, ["dateTime"], "Tidspunkt"),
        ],
    ]

    /// The parameters of `type`, with the common ones (`_id`, `_lastUpdated`) first.
    public static func parameters(for type: String) -> [SearchParameterDefinition] {
        common + (byType[type] ?? [])
    }

    public static func parameter(_ name: String, for type: String) -> SearchParameterDefinition? {
        parameters(for: type).first { $0.name == name }
    }
}
