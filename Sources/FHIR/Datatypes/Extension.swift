public struct Extension: Codable, Sendable, Hashable {
    public var url: String
    public var `extension`: [Extension]?
    public var valueString: String?
    public var valueCode: String?
    public var valueUri: String?
    public var valueUrl: String?
    public var valueCanonical: String?
    public var valueBoolean: Bool?
    public var valueInteger: Int?
    public var valueUnsignedInt: Int?
    public var valuePositiveInt: Int?
    public var valueDecimal: Double?
    public var valueDateTime: FHIRDateTime?
    public var valueInstant: FHIRDateTime?
    public var valueDate: FHIRDateTime?
    public var valueCoding: Coding?
    public var valueCodeableConcept: CodeableConcept?
    public var valueReference: Reference?
    public var valueQuantity: Quantity?
    public var valuePeriod: Period?
    public var valueIdentifier: Identifier?

    public init(url: String) {
        self.url = url
    }

    /// Any string-like value (string, code, uri, url, canonical).
    public var stringLikeValue: String? {
        valueString ?? valueCode ?? valueUri ?? valueUrl ?? valueCanonical
    }

    /// Any integer value (integer, unsignedInt, positiveInt).
    public var integerValue: Int? {
        valueInteger ?? valueUnsignedInt ?? valuePositiveInt
    }
}
