import Foundation

/// The one query-string parser of the project: `a=1&b=2&a=3` as ordered name/value pairs (FHIR repeats a name for
/// AND), percent-decoded, `+` read as a space (HTML forms). Used for URL queries, form bodies
/// (`application/x-www-form-urlencoded`) and FHIR search parameters alike, so that the gateway and the source it
/// forwards to always read a query the same way.
///
/// Nothing it is given can make it fail: an empty pair (`&&`) is skipped, a pair without `=` is a name with an empty
/// value, `=` alone is an empty name with an empty value, and a percent sign that does not start a valid UTF-8 escape
/// is kept as it was written.
///
/// ```swift
/// QueryString.parse("patient=123&_count=10")   // [("patient", "123"), ("_count", "10")]
/// QueryString.parse("=")                       // [("", "")]
/// ```
public enum QueryString {
    /// The pairs of `query` (without the leading `?`), in order; nil and "" have none.
    public static func parse(_ query: String?) -> [(name: String, value: String)] {
        guard let query, !query.isEmpty else { return [] }
        var pairs: [(name: String, value: String)] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            if let equals = pair.firstIndex(of: "=") {
                pairs.append((decode(pair[..<equals]), decode(pair[pair.index(after: equals)...])))
            } else {
                pairs.append((decode(pair[...]), ""))
            }
        }
        return pairs
    }

    /// The first value of `name`, if the query has it.
    public static func first(_ name: String, in pairs: [(name: String, value: String)]) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// One name or value, percent-decoded (`+` is a space); text that is not valid percent-encoding is kept as it is.
    public static func decode(_ text: some StringProtocol) -> String {
        let spaced = text.contains("+") ? text.replacingOccurrences(of: "+", with: " ") : String(text)
        guard spaced.contains("%") else { return spaced }
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The characters written as they are in `encode`: ASCII letters and digits, and `-._~|:,/`.
    public static let allowed: CharacterSet = {
        var set = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        set.insert(charactersIn: "-._~|:,/")
        return set
    }()

    /// RFC 3986's unreserved characters (ASCII letters and digits, `-._~`): all a single component keeps as it is.
    public static let unreserved: CharacterSet = {
        var set = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        set.insert(charactersIn: "-._~")
        return set
    }()

    /// One value percent-encoded for any place in a URL or a header: everything but the unreserved characters
    /// (`|`, `:`, non-ASCII letters too), so `urn:oid:1.2.208.176.1.2|2509479989` stays one value everywhere.
    public static func encodeComponent(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    /// Pairs as a query string, each name and value percent-encoded.
    public static func encode(_ items: [(name: String, value: String)]) -> String {
        items.map { item in
            let name = item.name.addingPercentEncoding(withAllowedCharacters: allowed) ?? item.name
            let value = item.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? item.value
            return "\(name)=\(value)"
        }.joined(separator: "&")
    }
}
