/// The FHIR search parameter types the demo sources implement.
public enum SearchParamType: String, Sendable {
    case token, reference, date, string
}
