/// `Observation.value[x]` and `Observation.component.value[x]`, whichever type was sent.
public enum ObservationValue: Sendable, Hashable {
    case quantity(Quantity)
    case codeableConcept(CodeableConcept)
    case string(String)
    case boolean(Bool)
    case integer(Int)
    case range(Range)
    case ratio(Ratio)
    case time(String)
    case dateTime(FHIRDateTime)
    case period(Period)

    /// The value as people read it: "128 µmol/L", "Positiv", "ja".
    public var displayText: String {
        switch self {
        case .quantity(let q):
            let number = q.value.map(ObservationValue.format) ?? "?"
            let unit = q.unit ?? q.code ?? ""
            return ([q.comparator, number].compactMap { $0 }.joined() + (unit.isEmpty ? "" : " \(unit)"))
        case .codeableConcept(let concept): return concept.displayText ?? ""
        case .string(let text): return text
        case .boolean(let value): return value ? "ja" : "nej"
        case .integer(let value): return String(value)
        case .range(let range):
            let low = range.low?.value.map(ObservationValue.format) ?? ""
            let high = range.high?.value.map(ObservationValue.format) ?? ""
            return "\(low)-\(high) \(range.low?.unit ?? range.high?.unit ?? "")"
        case .ratio(let ratio):
            let n = ratio.numerator?.value.map(ObservationValue.format) ?? "?"
            let d = ratio.denominator?.value.map(ObservationValue.format) ?? "?"
            return "\(n)/\(d)"
        case .time(let text): return text
        case .dateTime(let value): return value.text
        case .period(let period): return "\(period.start?.text ?? "")–\(period.end?.text ?? "")"
        }
    }

    /// The number, for quantities and integers.
    public var numericValue: Double? {
        switch self {
        case .quantity(let q): return q.value
        case .integer(let value): return Double(value)
        default: return nil
        }
    }

    static func format(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e12 { return String(Int64(value)) }
        var text = String(value)
        if text.contains("e") { return text }
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
