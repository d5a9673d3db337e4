import FHIR
import Foundation
import Platform
import Testing

/// What is wrong with a notification or a subscription is refused with an OperationOutcome that says what, and
/// nothing half-done is kept.
@Suite(.timeLimit(.minutes(3))) struct BadInputTests {
    func expectOutcome(
        _ answer: Answer, status: Int, mentioning words: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(answer.status == status, "\(answer.text)", sourceLocation: sourceLocation)
        #expect(answer.resourceType == "OperationOutcome", "\(answer.text)", sourceLocation: sourceLocation)
        #expect(answer.json?["issue"]?.listValue.first?["severity"]?.stringValue == "error", sourceLocation: sourceLocation)
        for word in words {
            #expect(answer.diagnostics.contains(word), "'\(word)' not in: \(answer.diagnostics)", sourceLocation: sourceLocation)
        }
    }

    @Test func badNotificationsAreRefusedAndStoreNothing() async throws {
        try await EngineHarness.with { harness in
            let subscription = try await harness.subscribe("akut-ankomst")
            try await SourceSimulator(harness).encounter("h-enc-good", cpr: PlatformFixtures.bruno)
            #expect(try await harness.eventCount(subscription) == 1)
            let url = "\(harness.base)/notify/hospital"

            let truncated = try await HTTP.send(
                url, method: .POST, body: Array("{\"resourceType\": \"Bundle\", ".utf8),
                headers: HTTP.notifyAuthorization("hospital"))
            expectOutcome(truncated, status: 400, mentioning: ["JSON"])
            expectOutcome(
                try await HTTP.notify(url, J(["resourceType": "Patient", "id": "1000"])), status: 400,
                mentioning: ["Bundle", "Patient"])
            expectOutcome(
                try await HTTP.notify(url, J(["resourceType": "Bundle", "type": "history", "entry": [Any?]()])), status: 400,
                mentioning: ["status"])
            expectOutcome(
                try await HTTP.notify(url, J(["resourceType": "Bundle", "type": "searchset", "entry": [Any?]()])), status: 400,
                mentioning: ["history"])
            expectOutcome(
                try await HTTP.notify(
                    url, J(["resourceType": "Bundle", "type": "history", "entry": [["resource": ["resourceType": "Patient"]]]])),
                status: 400, mentioning: ["Parameters", "SubscriptionStatus"])
            // A good event and a bad one in the same bundle: the bundle is refused whole.
            var bad = Notifications.r4(
                base: PlatformFixtures.deadSourceBase, topic: "akut-ankomst", number: 99,
                focus: Notifications.encounter(id: "h-enc-bad", patientID: "1000"),
                patient: Notifications.patient(id: "1000", cpr: PlatformFixtures.bruno))
            bad = try replacingEventNumber(in: bad, with: "ni")
            expectOutcome(try await HTTP.notify(url, bad), status: 400, mentioning: ["event-number"])

            #expect(try await harness.eventCount(subscription) == 1)
            #expect(try await harness.events(subscription).count == 1)
        }
    }

    @Test func anUnknownSourceCannotNotify() async throws {
        try await EngineHarness.with { harness in
            let subscription = try await harness.subscribe("akut-ankomst")
            let bundle = Notifications.r4(
                base: PlatformFixtures.deadSourceBase, topic: "akut-ankomst", number: 1,
                focus: Notifications.encounter(id: "h-enc-1", patientID: "1000"),
                patient: Notifications.patient(id: "1000", cpr: PlatformFixtures.bruno))
            // No secret is registered for it: not even its existence is confirmed.
            expectOutcome(try await harness.notify(bundle, source: "ukendt-kilde"), status: 401, mentioning: ["ukendt-kilde"])
            #expect(try await harness.eventCount(subscription) == 0)
        }
    }

    @Test func badSubscriptionsAreRefusedWithTheReason() async throws {
        try await EngineHarness.with { harness in
            let url = "\(harness.base)/Subscription"
            expectOutcome(
                try await HTTP.post(url, Subscriptions.resource(topic: "ukendt-emne")), status: 400, mentioning: ["ukendt-emne"])
            expectOutcome(
                try await HTTP.post(url, Subscriptions.resource(topic: "akut-ankomst", filters: ["afsnit=12"])), status: 400,
                mentioning: ["afsnit"])
            // `code` is a filter of the umbrella topic only.
            expectOutcome(
                try await HTTP.post(url, Subscriptions.resource(topic: "akut-ankomst", filters: ["code=STAA"])), status: 400,
                mentioning: ["code"])
            expectOutcome(
                try await HTTP.post(url, Subscriptions.resource(topic: "hospitalsnotifikation", filters: ["patient=12345"])),
                status: 400, mentioning: ["12345"])
            expectOutcome(
                try await HTTP.post(url, Subscriptions.resource(topic: "hospitalsnotifikation", filters: ["patient=3213459999"])),
                status: 400, mentioning: ["3213459999"])
            expectOutcome(
                try await HTTP.post(url, Subscriptions.resource(topic: "hospitalsnotifikation", filters: ["municipality=163"])),
                status: 400, mentioning: ["163"])
            expectOutcome(
                try await HTTP.post(url, Subscriptions.resource(topic: "hospitalsnotifikation", filters: ["code=XYZ"])),
                status: 400, mentioning: ["XYZ"])
            expectOutcome(
                try await HTTP.post(url, Subscriptions.resource(topic: "akut-ankomst", channel: "email")), status: 400,
                mentioning: ["email"])
            expectOutcome(
                try await HTTP.post(url, Subscriptions.resource(topic: "akut-ankomst", channel: "rest-hook")), status: 400,
                mentioning: ["endpoint"])
            expectOutcome(try await HTTP.post(url, text: "not json"), status: 400)

            let list = try await HTTP.send(url)
            #expect(list.json?["total"]?.numberValue == 0, "nothing was created: \(list.text)")
            expectOutcome(try await HTTP.send("\(url)/sub-does-not-exist"), status: 404, mentioning: ["sub-does-not-exist"])
            expectOutcome(try await HTTP.send("\(url)/sub-does-not-exist/$status"), status: 404)
        }
    }

    @Test func badEventRangesAreRefused() async throws {
        try await EngineHarness.with { harness in
            let subscription = try await harness.subscribe("akut-ankomst")
            let url = "\(harness.base)/Subscription/\(subscription)/$events"
            expectOutcome(try await HTTP.send("\(url)?eventsSinceNumber=-1"), status: 400, mentioning: ["eventsSinceNumber"])
            expectOutcome(try await HTTP.send("\(url)?eventsUntilNumber=x"), status: 400, mentioning: ["eventsUntilNumber"])
            expectOutcome(try await HTTP.send("\(url)?content=everything"), status: 400, mentioning: ["content"])
        }
    }

    /// The bundle with the first event's `event-number` replaced by a text value.
    func replacingEventNumber(in bundle: JSONValue, with value: String) throws -> JSONValue {
        guard case .object(var root) = bundle, case .array(var entries) = root["entry"],
            case .object(var first) = entries.first, case .object(var status) = first["resource"],
            case .array(var parameters) = status["parameter"],
            let index = parameters.firstIndex(where: { $0["name"]?.stringValue == "notification-event" }),
            case .object(var event) = parameters[index], case .array(var parts) = event["part"]
        else { throw TestFailure("not a notification bundle") }
        parts[0] = J(["name": "event-number", "valueString": value])
        event["part"] = .array(parts)
        parameters[index] = .object(event)
        status["parameter"] = .array(parameters)
        first["resource"] = .object(status)
        entries[0] = .object(first)
        root["entry"] = .array(entries)
        return .object(root)
    }
}
