public struct Reference: Codable, Sendable, Hashable {
    public var reference: String?
    public var type: String?
    public var identifier: Identifier?
    public var display: String?

    public init(reference: String? = nil, identifier: Identifier? = nil, display: String? = nil) {
        self.reference = reference
        self.identifier = identifier
        self.display = display
    }

    /// The resource type and id this reference points to, for relative (`Patient/123`) and absolute
    /// (`http://host/fhir/Patient/123`, `.../Patient/123/_history/2`) references. Nil for contained (`#x`), URNs
    /// and logical references.
    public var target: (type: String, id: String)? {
        guard let reference, !reference.hasPrefix("#"), !reference.hasPrefix("urn:") else { return nil }
        var parts = reference.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if parts.count >= 4, parts[parts.count - 2] == "_history" {
            parts.removeLast(2)
        }
        guard parts.count >= 2 else { return nil }
        let type = parts[parts.count - 2]
        let id = parts[parts.count - 1]
        guard let first = type.first, first.isUppercase, !id.isEmpty else { return nil }
        return (type, id)
    }
}
