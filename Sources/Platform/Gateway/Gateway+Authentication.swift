// Gateway: who is asking (bearer tokens, the demo identity provider's tokens) and how often (rate limits).

import Foundation
import Words

extension Gateway {
    /// The identity of a `Bearer` token.
    public func authenticate(_ authorization: String?) async throws(GatewayDenial) -> Identity {
        guard let authorization, authorization.lowercased().hasPrefix("bearer ") else {
            throw .unauthenticated(Phrase("denial.no-token"))
        }
        return try await tokens.verify(String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces))
    }

    /// 429 when the user or the client address has used up its requests.
    public func admit(user: String?, client: String?) throws(GatewayDenial) {
        for (limiter, key, id) in [
            (userLimiter, user, "denial.rate-limit-user"), (clientLimiter, client, "denial.rate-limit-client"),
        ] {
            guard let key, let wait = limiter.take(key) else { continue }
            throw GatewayDenial(
                status: 429, code: "throttled", reason: "rate-limit", phrase: Phrase(id, ["wait": .integer(wait)]),
                retryAfter: wait)
        }
    }

    /// A demo user's token (demo identity provider).
    public func issueDemoToken(user id: String) async throws(GatewayDenial) -> (token: String, identity: Identity) {
        guard !users.isEmpty, tokens.canIssue else {
            throw GatewayDenial(status: 404, code: "not-found", reason: "no-idp", phrase: Phrase("denial.no-demo-idp"))
        }
        guard let identity = users[id] else {
            throw GatewayDenial(
                status: 400, code: "invalid", reason: "unknown-user",
                phrase: Phrase(
                    "denial.unknown-user",
                    ["user": .text(id), "known": .text(users.keys.sorted().joined(separator: ", "))]))
        }
        do {
            return (try await tokens.issue(identity, lifetime: limits.tokenLifetime), identity)
        } catch {
            throw GatewayDenial(
                status: 500, code: "exception", reason: "token",
                phrase: Phrase("denial.token-not-issued", ["error": .error(error)]))
        }
    }
}
