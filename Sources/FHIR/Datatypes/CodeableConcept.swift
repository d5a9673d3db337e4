public struct CodeableConcept: Codable, Sendable, Hashable {
    public var coding: [Coding]?
    public var text: String?

    public init(coding: [Coding]? = nil, text: String? = nil) {
        self.coding = coding
        self.text = text
    }

    public init(system: String, code: String, display: String? = nil, text: String? = nil) {
        self.coding = [Coding(system: system, code: code, display: display)]
        self.text = text
    }

    /// The first coding in `system`.
    public func coding(in system: String) -> Coding? {
        coding?.first { $0.system == system }
    }

    /// True when any coding has this system and code.
    public func contains(system: String?, code: String) -> Bool {
        (coding ?? []).contains { $0.code == code && (system == nil || $0.system == system) }
    }

    /// Text for people: the text, else the first display, else the first code.
    public var displayText: String? {
        if let text, !text.isEmpty { return text }
        if let display = coding?.first(where: { $0.display != nil })?.display { return display }
        return coding?.first?.code
    }
}

extension CodeableConcept {
    /// `system|code` of the first coding with a code: what "the same code" means when sources are merged.
    public var codeKey: String? {
        guard let coding = coding?.first(where: { $0.code != nil }), let code = coding.code else { return nil }
        return "\(coding.system ?? "")|\(code)"
    }
}
