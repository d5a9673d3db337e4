import EventStream
import FHIR
import Foundation
import Platform
import Testing

/// What the fuzz targets (`make fuzz`) found in notifications and filter criteria, each as the clear answer it gets
/// now. The inputs themselves are kept in Tests/FuzzRegressions/ and run by FuzzRegressionTests.
@Suite struct FuzzFindingsTests {
    static func bundle(_ status: String) -> Data {
        Data(#"{"resourceType":"Bundle","type":"history","entry":[{"resource":\#(status)}]}"#.utf8)
    }

    /// `Int64(1e300)` trapped: one notification with such an event number stopped the node that read it.
    @Test func anEventNumberBeyondInt64IsAnErrorNotACrash() {
        let r4b = Self.bundle(
            #"{"resourceType":"SubscriptionStatus","type":"event-notification","notificationEvent":[{"eventNumber":1e300}]}"#)
        let r4 = Self.bundle(
            #"{"resourceType":"Parameters","parameter":[{"name":"type","valueCode":"event-notification"},"#
                + #"{"name":"notification-event","part":[{"name":"event-number","valueDecimal":1e19}]}]}"#)
        for (data, message) in [(r4b, "eventNumber skal være et tal"), (r4, "event-number skal være et tal")] {
            do {
                _ = try IncomingNotification.parse(data)
                Issue.record("accepted")
            } catch {
                #expect(String(describing: error).contains(message), "\(error)")
            }
        }
        // 2.5 is no event number either; 7 still is.
        let half = Self.bundle(
            #"{"resourceType":"SubscriptionStatus","type":"event-notification","notificationEvent":[{"eventNumber":2.5}]}"#)
        #expect(throws: PlatformError.self) { try IncomingNotification.parse(half) }
        let seven = Self.bundle(
            #"{"resourceType":"SubscriptionStatus","type":"event-notification","notificationEvent":[{"eventNumber":7}]}"#)
        #expect((try? IncomingNotification.parse(seven))?.events.first?.number == 7)
    }

    /// The client's reader (`EventNotification`) trapped the same way on `events-since-subscription-start`.
    @Test func theClientReadsAHugeCountAsNone() throws {
        let heartbeat = Self.bundle(
            #"{"resourceType":"Parameters","parameter":[{"name":"type","valueCode":"heartbeat"},"#
                + #"{"name":"events-since-subscription-start","valueInteger":1e19}]}"#)
        let parsed = try EventNotification.parse(bundle: heartbeat)
        #expect(parsed.type == "heartbeat")
        #expect(parsed.eventsSinceStart == nil)
    }

    /// `Character.isNumber` let "5̱" (a digit with a combining mark), "½" and Arabic-Indic digits through as SOR
    /// codes and municipality codes.
    @Test func filterCodesAreASCIIDigits() throws {
        let topic = try #require(EventTopic.named("akut-ankomst"))
        for criteria in ["organization=95\u{331}000016013", "organization=½", "municipality=\u{663}\u{661}\u{666}\u{663}"] {
            #expect(throws: PlatformError.self, "\(criteria)") { try SubscriptionFilter.parse(criteria, topic: topic) }
        }
        #expect(try SubscriptionFilter.parse("organization=953741000016013&municipality=0163", topic: topic).count == 2)
    }
}
