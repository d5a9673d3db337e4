import Platform
import Words

extension Array where Element == (name: String, value: String) {
    /// The one value of `name` among an OAuth request's parameters, nil when absent; a repeated one is
    /// `invalid_request` (RFC 6749 §3.1: a parameter must not be included more than once).
    func oauthValue(_ name: String) throws(OAuthError) -> String? {
        let values = filter { $0.name == name }
        guard values.count <= 1 else {
            throw OAuthError("invalid_request", Phrase("oauth.parameter-repeated", ["name": .text(name)]))
        }
        return values.first?.value
    }
}
