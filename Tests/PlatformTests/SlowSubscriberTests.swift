import EventStream
import FHIR
import Foundation
import Platform
import Testing

/// A subscriber that never reads must not hold anyone else up: the engine never waits for a live connection, and
/// one that falls too far behind is cut off (it resumes with `Last-Event-ID`).
@Suite(.timeLimit(.minutes(3))) struct SlowSubscriberTests {
    /// A raw TCP connection that asks for an SSE stream and never reads a byte of it.
    final class StuckReader {
        let fd: Int32

        init(port: Int, path: String) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw TestFailure("socket()") }
            // A small receive buffer: the server's writes back up after a few kilobytes.
            var size: Int32 = 4096
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else {
                close(fd)
                throw TestFailure("connect()")
            }
            let request =
                "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\nLast-Event-ID: 0\r\n\r\n"
            let sent = request.utf8CString.withUnsafeBufferPointer { send(fd, $0.baseAddress, $0.count - 1, 0) }
            guard sent == request.utf8.count else {
                close(fd)
                throw TestFailure("send()")
            }
        }

        /// Whatever has arrived in the socket so far, without waiting.
        func drain() -> String {
            var data = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                guard count > 0 else { break }
                data += buffer[0..<count]
            }
            return String(decoding: data, as: UTF8.self)
        }

        deinit { close(fd) }
    }

    @Test func aSubscriberThatNeverReadsDoesNotSlowAnother() async throws {
        try await EngineHarness.with { harness in
            // The stuck subscriber asks for full resources, made large, so that its connection backs up at once.
            let slow = try await harness.subscribe("akut-ankomst", payload: "full-resource")
            let good = try await harness.subscribe("akut-ankomst")
            let stuck = try StuckReader(port: harness.server.port, path: "/Subscription/\(slow)/$sse")
            let connection = try await SSEConnection.open(harness.base, subscription: good, lastEventID: "0")
            _ = await connection.events.wait(for: 1)
            _ = await eventually { harness.engine.hub.count == 2 }
            #expect(harness.engine.hub.count == 2, "both subscribers are listening")

            let padding = String(repeating: "x", count: 200_000)
            let count = 40
            var slowest = Duration.zero
            for n in 1...count {
                var encounter = Notifications.encounter(id: "h-enc-\(n)", patientID: "p1")
                if case .object(var object) = encounter {
                    object["text"] = J(["status": "generated", "div": "<div>\(padding)</div>"])
                    encounter = .object(object)
                }
                let bundle = Notifications.r4(
                    base: PlatformFixtures.deadSourceBase, topic: "akut-ankomst", number: Int64(n), focus: encounter,
                    patient: Notifications.patient(id: "p1", cpr: PlatformFixtures.bruno))
                let posted = ContinuousClock.now
                let answer = try await harness.notify(bundle)
                #expect(answer.status == 200)
                // Alone it takes milliseconds; the bound is generous for a busy machine. An engine that waited for
                // the stuck subscriber would hold the notification (and this subscriber) until the HTTP timeout.
                let arrived = await connection.waitForNotifications(n, within: .seconds(10))
                slowest = max(slowest, ContinuousClock.now - posted)
                try #require(arrived.count == n, "the good subscriber got event \(n) within 10 s (slowest so far \(slowest))")
            }

            let numbers = connection.notifications.compactMap { $0.id.flatMap { Int64($0) } }
            #expect(numbers == Array(1...Int64(count)))
            // How much reached the stuck socket depends on the kernel's loopback buffers (several MB may be
            // absorbed), so it is not asserted; what matters is that the good subscriber was never held up.
            _ = stuck.drain()
            await connection.close()
        }
    }

    @Test func aListenerThatDoesNotReadIsCutOffNotWaitedFor() async throws {
        let hub = LiveHub(bufferSize: 4)
        let stuck = hub.listen(subscriptionID: "sub-a")
        let other = hub.listen(subscriptionID: "sub-b")
        let clock = ContinuousClock()
        let started = clock.now
        for n in 1...10 {
            let record = EventRecord(
                sourceKey: "k\(n)", sourceID: "hospital", topic: "akut-ankomst", code: .acuteArrival, focus: "x/Encounter/\(n)",
                patientCPR: nil, organization: nil, organizationName: nil, municipality: nil, occurred: Date(), accepted: Date())
            hub.publish(AppendResult(event: record, numbers: ["sub-a": Int64(n)]))
        }
        hub.publish(
            AppendResult(
                event: EventRecord(
                    sourceKey: "b", sourceID: "hospital", topic: "akut-ankomst", code: .acuteArrival, focus: "x/Encounter/b",
                    patientCPR: nil, organization: nil, organizationName: nil, municipality: nil, occurred: Date(),
                    accepted: Date()), numbers: ["sub-b": 1]))
        // Waiting for the listener would block for good; the bound only has to be finite and safe on a busy machine.
        #expect(clock.now - started < .seconds(5), "publishing never waits for a listener")

        var numbers: [Int64] = []
        for await signal in stuck.signals {
            if case .event(let numbered) = signal { numbers.append(numbered.number) }
        }
        #expect(numbers == [1, 2, 3, 4], "the buffer is kept, then the listener is cut off (the stream ends)")
        var iterator = other.signals.makeAsyncIterator()
        if case .event(let numbered) = await iterator.next() {
            #expect(numbered.number == 1)
            #expect(numbered.event.focus == "x/Encounter/b")
        } else {
            Issue.record("the other subscription's listener got its event")
        }
        #expect(hub.count == 1, "only the cut-off listener is gone")
    }
}
