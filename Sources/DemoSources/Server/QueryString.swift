import Foundation

/// The query string of a URL as ordered name/value pairs (FHIR repeats names for AND), decoded.
enum QueryString {
    static func parse(_ query: String?) -> [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    static let allowed: CharacterSet = {
        var set = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        set.insert(charactersIn: "-._~|:,/")
        return set
    }()

    static func encode(_ items: [(name: String, value: String)]) -> String {
        items.map { item in
            let name = item.name.addingPercentEncoding(withAllowedCharacters: allowed) ?? item.name
            let value = item.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? item.value
            return "\(name)=\(value)"
        }.joined(separator: "&")
    }
}
