public struct Observation: FHIRResource {
    public static let resourceType = "Observation"
    public internal(set) var resourceType: String = "Observation"
    public var id: String?
    public var meta: Meta?
    public var identifier: [Identifier]?
    public var status: String?
    public var category: [CodeableConcept]?
    public var code: CodeableConcept?
    public var subject: Reference?
    public var encounter: Reference?
    public var effectiveDateTime: FHIRDateTime?
    public var effectivePeriod: Period?
    public var effectiveInstant: FHIRDateTime?
    public var issued: FHIRDateTime?
    public var performer: [Reference]?
    public var valueQuantity: Quantity?
    public var valueCodeableConcept: CodeableConcept?
    public var valueString: String?
    public var valueBoolean: Bool?
    public var valueInteger: Int?
    public var valueRange: Range?
    public var valueRatio: Ratio?
    public var valueTime: String?
    public var valueDateTime: FHIRDateTime?
    public var valuePeriod: Period?
    public var dataAbsentReason: CodeableConcept?
    public var interpretation: [CodeableConcept]?
    public var note: [Annotation]?
    public var referenceRange: [ReferenceRange]?
    public var component: [Component]?

    public init() {}

    public struct ReferenceRange: Codable, Sendable, Hashable {
        public var low: Quantity?
        public var high: Quantity?
        public var type: CodeableConcept?
        public var text: String?

        public init(low: Quantity? = nil, high: Quantity? = nil) {
            self.low = low
            self.high = high
        }
    }

    public struct Component: Codable, Sendable, Hashable {
        public var code: CodeableConcept?
        public var valueQuantity: Quantity?
        public var valueCodeableConcept: CodeableConcept?
        public var valueString: String?
        public var valueBoolean: Bool?
        public var valueInteger: Int?
        public var valueRange: Range?
        public var valueRatio: Ratio?
        public var valueTime: String?
        public var valueDateTime: FHIRDateTime?
        public var valuePeriod: Period?
        public var interpretation: [CodeableConcept]?
        public var referenceRange: [ReferenceRange]?

        public var value: ObservationValue? {
            ObservationValue.first(
                quantity: valueQuantity, codeableConcept: valueCodeableConcept, string: valueString,
                boolean: valueBoolean, integer: valueInteger, range: valueRange, ratio: valueRatio, time: valueTime,
                dateTime: valueDateTime, period: valuePeriod)
        }
    }

    /// `effective[x]`, whichever type was sent.
    public var effective: ClinicalTime? {
        if let effectiveInstant { return .dateTime(effectiveInstant) }
        return .first(dateTime: effectiveDateTime, period: effectivePeriod)
    }

    /// `value[x]`, whichever type was sent.
    public var value: ObservationValue? {
        ObservationValue.first(
            quantity: valueQuantity, codeableConcept: valueCodeableConcept, string: valueString, boolean: valueBoolean,
            integer: valueInteger, range: valueRange, ratio: valueRatio, time: valueTime, dateTime: valueDateTime,
            period: valuePeriod)
    }
}

extension ObservationValue {
    static func first(
        quantity: Quantity?, codeableConcept: CodeableConcept?, string: String?, boolean: Bool?, integer: Int?,
        range: Range?, ratio: Ratio?, time: String?, dateTime: FHIRDateTime?, period: Period?
    ) -> ObservationValue? {
        if let quantity { return .quantity(quantity) }
        if let codeableConcept { return .codeableConcept(codeableConcept) }
        if let string { return .string(string) }
        if let boolean { return .boolean(boolean) }
        if let integer { return .integer(integer) }
        if let range { return .range(range) }
        if let ratio { return .ratio(ratio) }
        if let time { return .time(time) }
        if let dateTime { return .dateTime(dateTime) }
        if let period { return .period(period) }
        return nil
    }
}
