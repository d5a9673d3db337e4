public struct Parameters: FHIRResource {
    public static let resourceType = "Parameters"
    public internal(set) var resourceType: String = "Parameters"
    public var id: String?
    public var meta: Meta?
    public var parameter: [Parameter]?

    public init(parameter: [Parameter]? = nil) {
        self.parameter = parameter
    }

    /// The parameters named `name`.
    public func all(_ name: String) -> [Parameter] {
        (parameter ?? []).filter { $0.name == name }
    }

    /// The first parameter named `name`.
    public func first(_ name: String) -> Parameter? {
        parameter?.first { $0.name == name }
    }
}

public struct Parameter: Codable, Sendable, Hashable {
    public var name: String
    public var valueString: String?
    public var valueCode: String?
    public var valueUri: String?
    public var valueUrl: String?
    public var valueCanonical: String?
    public var valueId: String?
    public var valueBoolean: Bool?
    public var valueInteger: Int?
    public var valueUnsignedInt: Int?
    public var valuePositiveInt: Int?
    /// R5's integer64 arrives as a JSON string.
    public var valueInteger64: String?
    public var valueDecimal: Double?
    public var valueDateTime: FHIRDateTime?
    public var valueInstant: FHIRDateTime?
    public var valueDate: FHIRDateTime?
    public var valueCoding: Coding?
    public var valueCodeableConcept: CodeableConcept?
    public var valueReference: Reference?
    public var valueIdentifier: Identifier?
    public var valueQuantity: Quantity?
    public var valuePeriod: Period?
    public var resource: AnyResource?
    public var part: [Parameter]?

    public init(name: String) {
        self.name = name
    }

    /// Any string-like value (string, code, uri, url, canonical, id).
    public var stringLikeValue: String? {
        valueString ?? valueCode ?? valueUri ?? valueUrl ?? valueCanonical ?? valueId
    }

    /// Any integer value; string-typed integers (as `events-since-subscription-start` is) are read too.
    public var integerValue: Int64? {
        if let value = valueInteger ?? valueUnsignedInt ?? valuePositiveInt { return Int64(value) }
        if let text = valueInteger64 ?? valueString { return Int64(text) }
        if let value = valueDecimal { return Int64(exactly: value) }  // exactly: `Int64(1e300)` traps
        return nil
    }

    /// The parts named `name`.
    public func parts(_ name: String) -> [Parameter] {
        (part ?? []).filter { $0.name == name }
    }

    /// The first part named `name`.
    public func part(_ name: String) -> Parameter? {
        part?.first { $0.name == name }
    }
}
