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

    /// The client address the rate limits count: the connection's, or, for a request from one of the node's own
    /// services that shows the service key, the caller's it forwards (`X-Forwarded-For`). Anyone else's
    /// `X-Forwarded-For` is ignored: a client cannot pick the bucket it is counted in.
    public func clientAddress(connection: String?, serviceKey given: String?, forwardedFor: String?) -> String? {
        guard let given, let forwardedFor, Self.sameKey(given, serviceKey) else { return connection }
        let first = forwardedFor.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return first.isEmpty ? connection : String(first.prefix(64))
    }

    /// Compares in time that depends on the length only, not on where the first difference is.
    static func sameKey(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
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
