extension JSONValue {
    /// Every string in the tree through `TextSanitizer.clean`, except base64 payloads (`data`), which are opaque
    /// here and are cleaned when their text is read.
    public func sanitized(maxLength: Int = TextSanitizer.defaultMaxLength) -> JSONValue {
        sanitizedIfChanged(maxLength: maxLength) ?? self
    }

    /// The sanitized value, or nil when nothing in it needs cleaning (most answers): then no part of the tree is
    /// copied.
    func sanitizedIfChanged(maxLength: Int) -> JSONValue? {
        switch self {
        case .string(let text):
            guard TextSanitizer.mayChange(text, maxLength: maxLength) else { return nil }
            return .string(TextSanitizer.clean(text, maxLength: maxLength))
        case .array(let values):
            var result: [JSONValue]?
            for index in values.indices {
                guard let clean = values[index].sanitizedIfChanged(maxLength: maxLength) else { continue }
                if result == nil { result = values }
                result?[index] = clean
            }
            return result.map { .array($0) }
        case .object(let members):
            var changes: [String: (key: String, value: JSONValue)]?
            for (key, value) in members {
                let cleanKey = TextSanitizer.mayChange(key, maxLength: 200) ? TextSanitizer.cleanLine(key, maxLength: 200) : nil
                let cleanValue = key == "data" ? nil : value.sanitizedIfChanged(maxLength: maxLength)
                if cleanKey != nil || cleanValue != nil {
                    changes = changes ?? [:]
                    changes?[key] = (cleanKey ?? key, cleanValue ?? value)
                }
            }
            guard let changes else { return nil }
            // Cleaning may make two names one: the later member wins, as when parsing.
            return .object(JSONObject(members: members.map { member in changes[member.key] ?? member }))
        default:
            return nil
        }
    }
}
