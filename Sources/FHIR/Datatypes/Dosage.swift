public struct Dosage: Codable, Sendable, Hashable {
    public var sequence: Int?
    public var text: String?
    public var patientInstruction: String?
    public var asNeededBoolean: Bool?
    public var route: CodeableConcept?

    public init(text: String? = nil) {
        self.text = text
    }
}
