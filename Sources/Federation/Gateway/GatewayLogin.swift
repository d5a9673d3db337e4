import AsyncHTTPClient
import FHIR
import Foundation
import NIOCore
import Synchronization

/// The client's session at a SundhedsCloud gateway: its access token (from the demo identity provider's
/// `POST /auth/token`, renewed before it expires, or a fixed token from elsewhere), and the patients the user has
/// opened under emergency access (værdispring) with the reason typed for each.
public final class GatewayLogin: Sendable {
    public let gatewayURL: String
    public let userID: String?
    let http: HTTPClient
    private struct State {
        var token: String?
        var expires = Date.distantPast
        var emergency: [String: String] = [:]
        var user: JSONValue?
    }

    private let state: Mutex<State>

    /// Logs in as a demo user through the gateway's demo identity provider.
    public init(gatewayURL: String, demoUser: String, http: HTTPClient) {
        self.gatewayURL = gatewayURL.hasSuffix("/") ? String(gatewayURL.dropLast()) : gatewayURL
        self.userID = demoUser
        self.http = http
        self.state = Mutex(State())
    }

    /// Uses a token obtained elsewhere (a real identity provider).
    public init(gatewayURL: String, token: String, http: HTTPClient) {
        self.gatewayURL = gatewayURL.hasSuffix("/") ? String(gatewayURL.dropLast()) : gatewayURL
        self.userID = nil
        self.http = http
        self.state = Mutex(State(token: token, expires: .distantFuture))
    }

    /// A valid token, renewed a minute before it expires.
    public func token(renew: Bool = false) async throws(FetchFailure) -> String {
        if !renew, let token = state.withLock({ $0.expires.timeIntervalSinceNow > 60 ? $0.token : nil }) { return token }
        guard let userID else {
            if let token = state.withLock({ $0.token }) { return token }
            throw FetchFailure(.http, "intet adgangstoken", httpStatus: 401)
        }
        do {
            var request = HTTPClientRequest(url: gatewayURL + "/auth/token")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(JSONValue.object(["user": .string(userID)]).serialized())
            let response = try await http.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 1 << 20)
            let json = try JSONValue.parse(Data(body.readableBytesView))
            guard response.status == .ok, let token = json["access_token"]?.stringValue else {
                let why = json["issue"]?.listValue.first?["diagnostics"]?.stringValue ?? "HTTP \(response.status.code)"
                throw FetchFailure(.http, "login som \(userID) mislykkedes: \(TextSanitizer.cleanLine(why))", httpStatus: 401)
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

    /// Headers for a request about `cpr`: emergency purpose of use and the reason, when granted.
    public func headers(cpr: String?) -> [(String, String)] {
        guard let cpr, let reason = emergencyReason(cpr: cpr) else { return [] }
        let encoded = reason.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        return [("X-Purpose-Of-Use", "EMERGENCY"), ("X-Emergency-Reason", encoded)]
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
        guard !sources.isEmpty else { throw FetchFailure(.malformed, "gatewayen har ingen kilder") }
        return SourceRegistry(sources: sources)
    }

    /// The user's access log (a citizen: who looked at my data), newest first.
    public func accessLog(patient: String? = nil) async throws(FetchFailure) -> [AccessLogEntry] {
        var path = "/AuditEvent?_count=500"
        if let patient { path += "&patient=\(patient)" }
        let json = try await get(path)
        return (json["entry"]?.listValue ?? []).compactMap { $0["resource"] }.compactMap(AccessLogEntry.init)
    }

    func get(_ path: String) async throws(FetchFailure) -> JSONValue {
        var renewed = false
        while true {
            let token = try await token(renew: renewed)
            do {
                var request = HTTPClientRequest(url: gatewayURL + path)
                request.headers.add(name: "Authorization", value: "Bearer \(token)")
                request.headers.add(name: "Accept", value: "application/fhir+json")
                let response = try await http.execute(request, timeout: .seconds(5))
                let body = try await response.body.collect(upTo: 16 << 20)
                let json = try? JSONValue.parse(Data(body.readableBytesView))
                if response.status == .unauthorized, !renewed, userID != nil {
                    renewed = true
                    continue
                }
                guard response.status == .ok, let json else {
                    let why = json?["issue"]?.listValue.first?["diagnostics"]?.stringValue ?? "HTTP \(response.status.code)"
                    throw FetchFailure(.http, TextSanitizer.cleanLine(why, maxLength: 300), httpStatus: Int(response.status.code))
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
