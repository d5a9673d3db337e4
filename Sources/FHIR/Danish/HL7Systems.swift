/// International code systems the product uses.
public enum HL7Systems {
    public static let actCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
    public static let observationCategory = "http://terminology.hl7.org/CodeSystem/observation-category"
    public static let observationInterpretation = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
    public static let conditionClinical = "http://terminology.hl7.org/CodeSystem/condition-clinical"
    public static let conditionVerification = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
    public static let conditionCategory = "http://terminology.hl7.org/CodeSystem/condition-category"
    public static let allergyClinical = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
    public static let purposeOfUse = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
    public static let loinc = "http://loinc.org"
    public static let ucum = "http://unitsofmeasure.org"
}
