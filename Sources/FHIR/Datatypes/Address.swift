public struct Address: Codable, Sendable, Hashable {
    public var `extension`: [Extension]?
    public var use: String?
    public var type: String?
    public var text: String?
    public var line: [String]?
    public var city: String?
    public var district: String?
    public var state: String?
    public var postalCode: String?
    public var country: String?
    public var period: Period?

    public init() {}

    /// The Danish municipality code (dk-core municipalityCodes extension), if present.
    public var municipalityCode: String? {
        `extension`?.first { $0.url == DanishSystems.municipalityCodeExtension }?
            .valueCodeableConcept?.coding(in: DanishSystems.municipalityCodes)?.code
    }

    /// One line for people: "Street 1, 2730 Herlev".
    public var displayText: String {
        if let text, !text.isEmpty { return text }
        let place = [postalCode, city].compactMap { $0 }.joined(separator: " ")
        return ((line ?? []) + (place.isEmpty ? [] : [place])).joined(separator: ", ")
    }
}
