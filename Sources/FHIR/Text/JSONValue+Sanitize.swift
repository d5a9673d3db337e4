extension JSONValue {
    /// Every string in the tree through `TextSanitizer.clean`, except base64 payloads (`data`), which are opaque
    /// here and are cleaned when their text is read.
    public func sanitized(maxLength: Int = TextSanitizer.defaultMaxLength) -> JSONValue {
        switch self {
        case .string(let text):
            return .string(TextSanitizer.clean(text, maxLength: maxLength))
        case .array(let values):
            return .array(values.map { $0.sanitized(maxLength: maxLength) })
        case .object(let members):
            var result: [String: JSONValue] = [:]
            result.reserveCapacity(members.count)
            for (key, value) in members {
                result[TextSanitizer.cleanLine(key, maxLength: 200)] =
                    key == "data" ? value : value.sanitized(maxLength: maxLength)
            }
            return .object(result)
        default:
            return self
        }
    }
}
