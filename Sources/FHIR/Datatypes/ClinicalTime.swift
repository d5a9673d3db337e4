/// The value of a time choice element (`onset[x]`, `abatement[x]`, `effective[x]`, ...), whichever type was sent.
public enum ClinicalTime: Sendable, Hashable {
    case dateTime(FHIRDateTime)
    case period(Period)
    case string(String)
    case age(Quantity)
    case range(Range)

    /// The earliest known point in time, for sorting and timelines.
    public var start: FHIRDateTime? {
        switch self {
        case .dateTime(let value): return value
        case .period(let period): return period.start ?? period.end
        case .string, .age, .range: return nil
        }
    }

    /// Builds the value from the variants a resource carries; the first present wins.
    public static func first(
        dateTime: FHIRDateTime? = nil, period: Period? = nil, string: String? = nil, age: Quantity? = nil,
        range: Range? = nil
    ) -> ClinicalTime? {
        if let dateTime { return .dateTime(dateTime) }
        if let period { return .period(period) }
        if let string { return .string(string) }
        if let age { return .age(age) }
        if let range { return .range(range) }
        return nil
    }
}
