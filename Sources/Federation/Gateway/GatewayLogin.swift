import AsyncHTTPClient
import FHIR
import Foundation
import NIOCore
import Synchronization
import Words

/// The client's session at a SundhedsCloud gateway: its access token (from the demo identity provider's
/// `POST /auth/token`, renewed before it expires, or a fixed token from elsewhere), and the patients the user has
/// opened under emergency access (værdispring) with the reason typed for each.
///
/// Several gateway nodes of one platform may be given: requests go to one, and move to the next when it stops
/// answering (`route`, `failover`). Tokens are valid on every node.
public final class GatewayLogin: Sendable {
    /// Every node of the gateway, the first one first.
    public let gatewayURLs: [String]
    private let current = Mutex(0)
    /// The node in use now.
    public var gatewayURL: String { gatewayURLs[current.withLock { $0 }] }
    public let userID: String?
    /// Sent with every request (a node service's key and the caller's address it forwards).
    let extraHeaders: [(String, String)]
    let http: HTTPClient
    private struct State {
        var token: String?
        var expires = Date.distantPast
        var emergency: [String: String] = [:]
        var user: JSONValue?
    }

    private let state: Mutex<State>

    /// Logs in as a demo user through the gateway's demo identity provider.
    public init(gatewayURL: String, alternateURLs: [String] = [], demoUser: String, http: HTTPClient) {
        self.gatewayURLs = Self.normalized([gatewayURL] + alternateURLs)
        self.userID = demoUser
        self.extraHeaders = []
        self.http = http
        self.state = Mutex(State())
    }

    /// Uses a token obtained elsewhere (a real identity provider, or the caller of a node service), with `headers`
    /// on every request.
    public init(
        gatewayURL: String, alternateURLs: [String] = [], token: String, headers: [(String, String)] = [], http: HTTPClient
    ) {
        self.gatewayURLs = Self.normalized([gatewayURL] + alternateURLs)
        self.userID = nil
        self.extraHeaders = headers
        self.http = http
        self.state = Mutex(State(token: token, expires: .distantFuture))
    }

    private static func normalized(_ urls: [String]) -> [String] {
        var seen: [String] = []
        for url in urls {
            let trimmed = url.hasSuffix("/") ? String(url.dropLast()) : url
            if !trimmed.isEmpty, !seen.contains(trimmed) { seen.append(trimmed) }
        }
        return seen
    }

    /// `url` at the node in use now (a URL of any of the nodes is moved to the current one).
    public func route(_ url: String) -> String {
        let now = gatewayURL
        for base in gatewayURLs where base != now && url.hasPrefix(base + "/") {
            return now + url.dropFirst(base.count)
        }
        return url
    }

    /// The node that served `url` did not answer: move to the next one. False when there is no other node.
    @discardableResult
    public func failover(from url: String) -> Bool {
        guard gatewayURLs.count > 1 else { return false }
        current.withLock { index in
            if url.hasPrefix(gatewayURLs[index] + "/") || url == gatewayURLs[index] {
                index = (index + 1) % gatewayURLs.count
            }
        }
        return true
    }

    /// The user as the identity provider describes them (after the first login).
    public var user: JSONValue? { state.withLock { $0.user } }

    /// A valid token, renewed a minute before it expires.
    public func token(renew: Bool = false) async throws(FetchFailure) -> String {
        if !renew, let token = state.withLock({ $0.expires.timeIntervalSinceNow > 60 ? $0.token : nil }) { return token }
        guard let userID else {
            if let token = state.withLock({ $0.token }) { return token }
            throw FetchFailure(.http, "failure.no-token", httpStatus: 401)
        }
        var attempts = 0
        while true {
            attempts += 1
            let base = gatewayURL
            do {
                return try await login(userID, at: base)
            } catch let failure where failure.kind == .unreachable && attempts < gatewayURLs.count {
                failover(from: base)
            }
        }
    }

    private func login(_ userID: String, at base: String) async throws(FetchFailure) -> String {
        do {
            var request = HTTPClientRequest(url: base + "/auth/token")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(JSONValue.object(["user": .string(userID)]).serialized())
            let response = try await http.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 1 << 20)
            let json = try JSONValue.parse(Data(body.readableBytesView))
            guard response.status == .ok, let token = json["access_token"]?.stringValue else {
                let why = json["issue"]?.listValue.first?["diagnostics"]?.stringValue ?? "HTTP \(response.status.code)"
                throw FetchFailure(
                    .http, "failure.login",
                    ["user": .text(TextSanitizer.cleanLine(userID)), "reason": .text(TextSanitizer.cleanLine(why))],
                    httpStatus: 401)
            }
            let lifetime = json["expires_in"]?.numberValue ?? 900
            state.withLock { state in
                state.token = token
                state.expires = Date().addingTimeInterval(lifetime)
                state.user = json["user"]
            }
            return token
        } catch let failure as FetchFailure {
            throw failure
        } catch {
            throw FHIRHTTPClient.failure(for: error)
        }
    }

    /// Opens a patient under emergency access for the rest of the session; the reason goes with every request.
    public func grantEmergency(cpr: String, reason: String) {
        state.withLock { $0.emergency[cpr] = reason }
    }

    public func emergencyReason(cpr: String) -> String? {
        state.withLock { $0.emergency[cpr] }
    }

    /// Headers for a request about `cpr`: emergency purpose of use and the reason, when granted (and the extra
    /// headers of every request).
    public func headers(cpr: String?) -> [(String, String)] {
        guard let cpr, let reason = emergencyReason(cpr: cpr) else { return extraHeaders }
        let encoded = QueryString.encodeComponent(reason)
        return extraHeaders + [("X-Purpose-Of-Use", "EMERGENCY"), ("X-Emergency-Reason", encoded)]
    }

    /// The registry of clinical sources as the gateway lists them, each reached through the gateway.
    public func sources() async throws(FetchFailure) -> SourceRegistry {
        let json = try await get("/sources")
        let sources = (json["sources"]?.listValue ?? []).compactMap { item -> SourceDefinition? in
            guard item["kind"]?.stringValue ?? "clinical" == "clinical", let id = item["id"]?.stringValue,
                let fhir = item["fhir"]?.stringValue
            else { return nil }
            return SourceDefinition(
                id: id, name: TextSanitizer.cleanLine(item["name"]?.stringValue ?? id),
                sector: Sector(rawValue: item["sector"]?.stringValue ?? "") ?? .other, fhir: fhir)
        }
        guard !sources.isEmpty else { throw FetchFailure(.malformed, "failure.gateway-no-sources") }
        return SourceRegistry(sources: sources)
    }

    /// The user's access log (a citizen: who looked at my data), newest first.
    public func accessLog(patient: String? = nil) async throws(FetchFailure) -> [AccessLogEntry] {
        var path = "/AuditEvent?_count=500"
        if let patient { path += "&patient=\(patient)" }
        let json = try await get(path)
        return (json["entry"]?.listValue ?? []).compactMap { $0["resource"] }.compactMap(AccessLogEntry.init)
    }

    /// The patient's international patient summary (IPS document Bundle) from the node's `$summary`, as the user,
    /// under emergency access when it is granted for the patient, with narratives in `language`. A refusal and an
    /// unknown patient are the same 404.
    public func summary(cpr: String, language: Language) async throws(FetchFailure) -> JSONValue {
        let identifier = QueryString.encodeComponent("\(DanishSystems.cpr)|\(cpr)")
        // Every source through the gateway, each within its time limit (twice: the patient, then the searches).
        return try await get(
            "/Patient/$summary?identifier=\(identifier)", headers: headers(cpr: cpr) + [("Accept-Language", language.rawValue)],
            timeout: .seconds(60), language: language)
    }

    /// Whether the citizen (the signed-in user) has opted out of secondary use of their data (EHDS art. 71).
    public func researchOptOut() async throws(FetchFailure) -> Bool {
        try await get("/me/research-opt-out")["optedOut"] == .bool(true)
    }

    /// The citizen opts out of secondary use (`true`), or withdraws it; answers the choice as the gateway keeps it.
    public func setResearchOptOut(_ optOut: Bool, language: Language = .da) async throws(FetchFailure) -> Bool {
        try await get(
            "/me/research-opt-out", language: language, put: .object(["optedOut": .bool(optOut)]))["optedOut"] == .bool(true)
    }

    func get(
        _ path: String, headers: [(String, String)] = [], timeout: TimeAmount = .seconds(5), language: Language = .da,
        form: [(String, String)]? = nil, put: JSONValue? = nil
    ) async throws(FetchFailure) -> JSONValue {
        var renewed = false
        var attempts = 0
        while true {
            attempts += 1
            let base = gatewayURL
            do {
                return try await get(
                    path, at: base, headers: headers, timeout: timeout, language: language, form: form, put: put,
                    renewed: &renewed)
            } catch let failure where failure.kind == .unreachable && attempts < gatewayURLs.count {
                failover(from: base)
            }
        }
    }

    /// A GET, or with `form` a POST of that form (`application/x-www-form-urlencoded`), or with `put` a PUT of that
    /// JSON.
    private func get(
        _ path: String, at base: String, headers: [(String, String)], timeout: TimeAmount, language: Language,
        form: [(String, String)]?, put: JSONValue?, renewed: inout Bool
    ) async throws(FetchFailure) -> JSONValue {
        while true {
            let token = try await token(renew: renewed)
            do {
                var request = HTTPClientRequest(url: base + path)
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                request.headers.add(name: "Accept", value: "application/fhir+json")
                if let form {
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
                    let encoded = form.map { "\(QueryString.encodeComponent($0))=\(QueryString.encodeComponent($1))" }
                    request.body = .bytes(ByteBuffer(string: encoded.joined(separator: "&")))
                } else if let put {
                    request.method = .PUT
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.body = .bytes(ByteBuffer(bytes: put.serialized()))
                }
                let sent = headers.isEmpty ? extraHeaders : headers
                for (name, value) in sent { request.headers.add(name: name, value: value) }
                let response = try await http.execute(request, timeout: timeout)
                let body = try await response.body.collect(upTo: 16 << 20)
                let json = try? JSONValue.parse(Data(body.readableBytesView))
                if response.status == .unauthorized, !renewed, userID != nil {
                    renewed = true
                    continue
                }
                guard response.status == .ok, let json else {
                    // The outcome in the user's language: Danish diagnostics, or the English details.text.
                    let issue = json?["issue"]?.listValue.first
                    let why =
                        (language == .en ? issue?["details"]?["text"]?.stringValue : nil)
                        ?? issue?["diagnostics"]?.stringValue ?? "HTTP \(response.status.code)"
                    throw FetchFailure(
                        .http, .verbatim(TextSanitizer.cleanLine(why, maxLength: 300)), httpStatus: Int(response.status.code))
                }
                return json
            } catch let failure as FetchFailure {
                throw failure
            } catch {
                throw FHIRHTTPClient.failure(for: error)
            }
        }
    }
}
