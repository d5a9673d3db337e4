import EventStream
import FHIR
import Federation
import Foundation
import Platform

extension FuzzTarget {
    /// `SSEParser`: whole, in chunks whose sizes come from the input itself, and byte by byte through a sequence
    /// without contiguous storage; all three give the same events.
    static func sse(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        let all = Array(bytes)
        var whole = SSEParser()
        let expected = whole.feed(all)

        var chunked = SSEParser()
        var events: [SSEParser.Event] = []
        var start = 0
        var step = 0
        while start < all.count {
            let size = 1 + Int(all[(start + step) % all.count] % 7)
            let end = min(all.count, start + size)
            events += chunked.feed(all[start..<end])
            start = end
            step += 1
        }
        check.expect(events == expected, "the events depend on how the bytes are split into chunks")

        var bytewise = SSEParser()
        check.expect(bytewise.feed(all.lazy.map { $0 }) == expected, "byte-by-byte feeding gives other events")
        for event in expected { check.expect(!event.event.isEmpty, "an event without a type") }
    }

    /// `QueryString`: the pairs it reads, encoded and read again, are the same pairs.
    static func queryString(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        let text = bytes.text
        let pairs = QueryString.parse(text)
        let encoded = QueryString.encode(pairs)
        let again = QueryString.parse(encoded)
        check.expect(
            again.map(\.name) == pairs.map(\.name) && again.map(\.value) == pairs.map(\.value),
            "encode → parse changed the pairs (\(encoded))")
        if let first = pairs.first {
            check.expect(QueryString.first(first.name, in: pairs) == first.value, "first(_:in:) misses the first pair")
        }
    }

    /// Subscription filter criteria against a topic chosen by the first byte; input starting with `{` is a whole
    /// Subscription (`SubscriptionRequest.parse`).
    static func subscriptionFilter(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        guard let first = bytes.first else { return }
        if first == UInt8(ascii: "{") {
            _ = try? SubscriptionRequest.parse(bytes.data)
            return
        }
        let topic = EventTopic.all[Int(first) % EventTopic.all.count]
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes.dropFirst()), as: UTF8.self)
        guard let filters = try? SubscriptionFilter.parse(text, topic: topic) else { return }
        for filter in filters {
            check.expect(!filter.values.isEmpty, "a filter without values")
            for value in filter.values {
                let digits = value.utf8.allSatisfy { (0x30...0x39).contains($0) }
                switch filter.key {
                case .patient: check.expect(digits && value.utf8.count == 10, "patient value '\(value)' is not a CPR number")
                case .organization: check.expect(digits && !value.isEmpty, "organization value '\(value)' is not digits")
                case .municipality: check.expect(digits && value.utf8.count == 4, "municipality value '\(value)' is not 4 digits")
                case .code: check.expect(EventCode.all.contains(EventCode(rawValue: value)), "unknown code '\(value)'")
                }
            }
        }
        let criteria = filters.map(\.criteria).joined(separator: "&")
        switch Result(catching: { () throws(PlatformError) in try SubscriptionFilter.parse(criteria, topic: topic) }) {
        case .success(let again): check.expect(again == filters, "'\(criteria)' parses to other filters")
        case .failure(let error): check.fail("the criteria '\(criteria)' do not parse: \(error)")
        }
    }

    /// `SourceRegistry.parse`: a registry read, written with `toml()` and read again, is the same.
    static func tomlRegistry(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        guard let registry = try? SourceRegistry.parse(bytes.text) else { return }
        let written = registry.toml()
        switch Result(catching: { () throws(RegistryError) in try SourceRegistry.parse(written) }) {
        case .success(let again): check.expect(again == registry, "toml() → parse gives another registry")
        case .failure(let error): check.fail("toml() writes what parse refuses: \(error)")
        }
    }

    /// Notification bundles through both readers: the client's (`EventNotification`) and the engine's
    /// (`IncomingNotification`).
    static func notification(_ bytes: UnsafeRawBufferPointer, _ check: inout PropertyCheck) {
        let data = bytes.data
        if let parsed = try? EventNotification.parse(bundle: data) {
            for event in parsed.events { _ = event.cpr?.formatted }
        }
        _ = try? IncomingNotification.parse(data)
    }
}
