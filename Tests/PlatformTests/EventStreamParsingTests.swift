import EventStream
import FHIR
import Foundation
import Platform
import Testing

/// The subscriber's side of the wire: the SSE parser and the notification reader.
@Suite struct EventStreamParsingTests {
    /// `id|event|data`, to compare events at a glance.
    func lines(_ events: [SSEParser.Event]) -> [String] {
        events.map { "\($0.id ?? "-")|\($0.event)|\($0.data)" }
    }

    @Test func sseEventsSplitAcrossChunksAreWhole() {
        let text =
            "retry: 1000\nid: 7\nevent: event-notification\ndata: {\"a\":1}\n\nid: 8\nevent: event-notification\ndata: {\"b\":2}\n\n"
        var parser = SSEParser()
        var events: [SSEParser.Event] = []
        for byte in Array(text.utf8) { events += parser.feed([byte]) }
        #expect(
            lines(events) == [
                "7|event-notification|{\"a\":1}",
                "8|event-notification|{\"b\":2}",
            ])

        // Cut at every place: the same events each time.
        let bytes = Array(text.utf8)
        for cut in 0...bytes.count {
            var parser = SSEParser()
            let parts = parser.feed(bytes[..<cut]) + parser.feed(bytes[cut...])
            #expect(parts == events, "cut at \(cut)")
        }
    }

    @Test func sseHandlesCRLFCommentsAndMultiLineData() {
        let bytes = Array(
            ": heartbeat comment\r\n\r\nid: 1\r\nevent: event-notification\r\ndata: first line\r\ndata: second line\r\n\r\n: another comment\r\ndata:no space\r\n\r\nevent: heartbeat\r\ndata\r\n\r\n"
                .utf8)
        var parser = SSEParser()
        let events = parser.feed(bytes)
        #expect(
            lines(events) == [
                "1|event-notification|first line\nsecond line",
                "-|message|no space",
                "-|heartbeat|",
            ])
        // A CR and its LF in different chunks are still one line end.
        for cut in 0...bytes.count {
            var parser = SSEParser()
            #expect(parser.feed(bytes[..<cut]) + parser.feed(bytes[cut...]) == events, "cut at \(cut)")
        }
        // An event is only complete at its blank line.
        var waiting = SSEParser()
        #expect(waiting.feed(Array("id: 2\nevent: x\ndata: y\n".utf8)).isEmpty)
        #expect(lines(waiting.feed(Array("\n".utf8))) == ["2|x|y"])
    }

    @Test func theR4ParametersFormIsRead() throws {
        let record = SubscriptionRecord(
            id: "sub-1", topic: "akut-ankomst", filters: [], channel: .sse, payload: .idOnly, eventCount: 12)
        let event = EventRecord(
            sourceKey: "k", sourceID: "hospital", topic: "akut-ankomst", code: .acuteArrival.correction,
            focus: "http://127.0.0.1:8101/fhir/Encounter/h-enc-1", patientCPR: PlatformFixtures.bruno,
            organization: PlatformFixtures.akutHerlev, organizationName: "Akutmodtagelsen, Herlev", municipality: "0163",
            occurred: Date(timeIntervalSince1970: 1_740_819_600), accepted: Date())
        let bundle = NotificationBundle.build(
            subscription: record, type: "event-notification", eventsSinceStart: 12,
            events: [NumberedEvent(number: 12, event: event)], engineBase: "http://127.0.0.1:8080")

        let parsed = try EventNotification.parse(bundle: Data(bundle.serialized()))

        #expect(parsed.type == "event-notification")
        #expect(parsed.eventsSinceStart == 12)
        let notification = try #require(parsed.events.first)
        #expect(parsed.events.count == 1)
        #expect(notification.subscriptionID == "sub-1")
        #expect(notification.number == 12)
        #expect(notification.code == "RE_STAA")
        #expect(notification.topic == "akut-ankomst")
        #expect(notification.focus == "http://127.0.0.1:8101/fhir/Encounter/h-enc-1")
        #expect(notification.sourceID == "hospital")
        #expect(notification.cpr?.value == PlatformFixtures.bruno)
        #expect(notification.organization == PlatformFixtures.akutHerlev)
        #expect(notification.organizationName == "Akutmodtagelsen, Herlev")
        #expect(notification.municipality == "0163")
        #expect(notification.timestamp == Date(timeIntervalSince1970: 1_740_819_600))
    }

    @Test func theR4BSubscriptionStatusFormIsRead() throws {
        let bundle = J([
            "resourceType": "Bundle", "type": "history",
            "entry": [
                [
                    "fullUrl": "urn:uuid:1",
                    "resource": [
                        "resourceType": "SubscriptionStatus", "status": "active", "type": "event-notification",
                        "eventsSinceSubscriptionStart": "31",
                        "subscription": ["reference": "http://engine.example/Subscription/sub-9"],
                        "topic": "https://sundhedscloud.dk/fhir/SubscriptionTopic/indlaeggelse",
                        "notificationEvent": [
                            [
                                "eventNumber": "30", "timestamp": "2025-03-01T10:00:00+01:00",
                                "focus": ["reference": "Encounter/e1"],
                            ],
                            ["eventNumber": "31", "focus": ["reference": "Encounter/e2"]],
                            ["focus": ["reference": "Encounter/without-number"]],
                        ],
                    ],
                ],
                ["fullUrl": "Encounter/e1"],
            ],
        ])

        let parsed = try EventNotification.parse(bundle: Data(bundle.serialized()))

        #expect(parsed.type == "event-notification")
        #expect(parsed.eventsSinceStart == 31)
        #expect(parsed.events.map(\.number) == [30, 31])
        #expect(parsed.events.map(\.focus) == ["Encounter/e1", "Encounter/e2"])
        #expect(parsed.events.allSatisfy { $0.subscriptionID == "sub-9" && $0.topic == "indlaeggelse" })
        #expect(parsed.events.first?.timestamp == Date(timeIntervalSince1970: 1_740_819_600))
    }

    @Test func somethingElseIsRefused() {
        #expect(throws: (any Error).self) { try EventNotification.parse(bundle: Data("{\"resourceType\":\"Patient\"}".utf8)) }
        #expect(throws: (any Error).self) { try EventNotification.parse(bundle: Data("{\"resourceType\":\"Bundle\"}".utf8)) }
        #expect(throws: (any Error).self) { try EventNotification.parse(bundle: Data("not json".utf8)) }
        #expect(throws: (any Error).self) {
            try EventNotification.parse(
                bundle: Data("{\"resourceType\":\"Bundle\",\"entry\":[{\"resource\":{\"resourceType\":\"Patient\"}}]}".utf8))
        }
    }
}
