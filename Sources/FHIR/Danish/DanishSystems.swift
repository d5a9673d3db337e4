/// Danish identifier and code systems (values from the Danish national registries and HL7 Denmark).
public enum DanishSystems {
    /// CPR number (Det Centrale Personregister).
    public static let cpr = "urn:oid:1.2.208.176.1.2"
    /// SOR (Sundhedsvæsenets Organisationsregister) organisation identifiers.
    public static let sor = "urn:oid:1.2.208.176.1.1"
    /// Ydernummer: the provider number of a general practice.
    public static let ydernummer = "urn:oid:1.2.208.176.1.4"
    /// SKS classification (diagnoses: ICD-10 with a `D` prefix and no dot, e.g. `DI50`).
    public static let sks = "urn:oid:1.2.208.176.2.4.12"
    /// NPU laboratory codes (e.g. `NPU18016` Kreatinin).
    public static let npu = "urn:oid:1.2.208.176.2.1"
    /// ATC medication classification.
    public static let atc = "http://www.whocc.no/atc"
    /// Danish municipality codes (`0101` København, `0163` Herlev, ...).
    public static let municipalityCodes = "http://hl7.dk/fhir/core/CodeSystem/dk-core-municipality-codes"
    /// dk-core extension carrying the municipality code on an Address.
    public static let municipalityCodeExtension = "http://hl7.dk/fhir/core/StructureDefinition/dk-core-municipalityCodes"
    /// MedCom CareCommunication categories (sygepleje, medicin, udskrivelse, ...).
    public static let careCommunicationCategories =
        "http://medcomfhir.dk/ig/terminology/CodeSystem/medcom-careCommunication-categoryCodes"
}
