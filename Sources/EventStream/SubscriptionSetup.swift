import AsyncHTTPClient
import FHIR
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Words

/// Creates a subscription for a user, or reuses the one they already have with the same topic and filters.
public enum SubscriptionSetup {
    public struct Wish: Sendable, Equatable {
        /// Topic slug, e.g. `akut-ankomst`.
        public var topic: String
        /// Backport filter criteria, e.g. `organization=953741000016013`.
        public var filters: [String]
        /// Reuse tag (a user id).
        public var owner: String

        public init(topic: String, filters: [String], owner: String) {
            self.topic = topic
            self.filters = filters
            self.owner = owner
        }
    }

    public struct Subscription: Sendable, Equatable {
        public let id: String
        public let eventCount: Int64
        public let reused: Bool
    }

    static let topicBase = "https://sundhedscloud.dk/fhir/SubscriptionTopic/"
    static let filterURL = "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-filter-criteria"

    /// - Parameter token: behind a gateway, the user's access token (the subscription is then theirs).
    public static func ensure(
        _ wish: Wish, engineURL: String, httpClient: HTTPClient = .shared, token: AccessToken? = nil
    ) async throws -> Subscription {
        let owner = QueryString.encodeComponent(wish.owner)
        let bearer = try await token?()
        func call(_ client: HTTPClient, url: String, method: HTTPMethod, body: JSONValue?) async throws -> JSONValue {
            try await Self.call(client, url: url, method: method, body: body, bearer: bearer)
        }
        let list = try await call(httpClient, url: "\(engineURL)/Subscription?owner=\(owner)", method: .GET, body: nil)
        for entry in list["entry"]?.listValue ?? [] {
            guard let resource = entry["resource"], matches(resource, wish), let id = resource["id"]?.stringValue else {
                continue
            }
            let status = try await call(httpClient, url: "\(engineURL)/Subscription/\(id)/$status", method: .GET, body: nil)
            let parameters = status["entry"]?.listValue.first?["resource"]?["parameter"]?.listValue ?? []
            let count =
                parameters.first { $0["name"]?.stringValue == "events-since-subscription-start" }?["valueString"]?
                .stringValue.flatMap { Int64($0) } ?? 0
            return Subscription(id: id, eventCount: count, reused: true)
        }
        let body: JSONValue = .object([
            "resourceType": .string("Subscription"),
            "status": .string("requested"),
            "reason": .string("owner:\(wish.owner)"),
            "criteria": .string(topicBase + wish.topic),
            "_criteria": .object([
                "extension": .array(wish.filters.map { .object(["url": .string(filterURL), "valueString": .string($0)]) })
            ]),
            "channel": .object([
                "_type": .object([
                    "extension": .array([
                        .object([
                            "url": .string(
                                "http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-channel-type"),
                            "valueCoding": .object([
                                "system": .string("https://sundhedscloud.dk/fhir/CodeSystem/channel-type"),
                                "code": .string("sse"),
                            ]),
                        ])
                    ])
                ]),
                "payload": .string("application/fhir+json"),
            ]),
        ])
        let created = try await call(httpClient, url: "\(engineURL)/Subscription", method: .POST, body: body)
        guard let id = created["id"]?.stringValue else { throw EventStreamError(Phrase("event-stream.no-id")) }
        return Subscription(id: id, eventCount: 0, reused: false)
    }

    static func matches(_ resource: JSONValue, _ wish: Wish) -> Bool {
        let filters = (resource["_criteria"]?["extension"]?.listValue ?? []).compactMap { $0["valueString"]?.stringValue }
        let sse = (resource["channel"]?["_type"]?["extension"]?.listValue ?? []).contains {
            $0["valueCoding"]?["code"]?.stringValue == "sse"
        }
        return resource["criteria"]?.stringValue == topicBase + wish.topic && Set(filters) == Set(wish.filters) && sse
            && resource["status"]?.stringValue != "off"
    }

    static func call(
        _ client: HTTPClient, url: String, method: HTTPMethod, body: JSONValue?, bearer: String? = nil
    ) async throws -> JSONValue {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        request.headers.add(name: "Accept", value: "application/fhir+json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/fhir+json")
            request.body = .bytes(body.serialized())
        }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .seconds(5))
        } catch {
            throw EventStreamError(Phrase("event-stream.no-answer-because", ["url": .text(url), "error": .text("\(error)")]))
        }
        let data = Data(buffer: try await response.body.collect(upTo: 4 << 20))
        let json = try? JSONValue.parse(data)
        guard (200..<300).contains(response.status.code), let json else {
            let message =
                Phrase.outcome(json) ?? Phrase("event-stream.http", ["status": .integer(Int(response.status.code))])
            throw EventStreamError(Phrase("event-stream.not-created", ["reason": .phrase(message)]))
        }
        return json
    }
}
