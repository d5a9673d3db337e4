import Foundation
import Platform
import Testing

/// One storage suite, run against both backends: what the platform persists behaves the same on SQLite and on
/// PostgreSQL, including two nodes writing to one database at once.
@Suite("Platformens lager (SQLite og PostgreSQL)")
struct StorageSuiteTests {
    static func event(_ key: String, cpr: String = PlatformFixtures.bruno, focus: String? = nil) -> EventRecord {
        EventRecord(
            sourceKey: key, sourceID: "hospital", topic: "akut-ankomst", code: .acuteArrival,
            focus: focus ?? "http://127.0.0.1:8101/fhir/Encounter/\(key)", patientCPR: cpr,
            organization: PlatformFixtures.akutHerlev, organizationName: "Akutmodtagelsen, Herlev", municipality: "0101",
            occurred: Date(timeIntervalSince1970: 1_800_000_000), accepted: Date(timeIntervalSince1970: 1_800_000_001))
    }

    static func subscription(_ id: String, channel: SubscriptionRecord.Channel = .sse) -> SubscriptionRecord {
        SubscriptionRecord(
            id: id, topic: "akut-ankomst", filters: [SubscriptionFilter(key: .patient, values: [PlatformFixtures.bruno])],
            channel: channel, endpoint: channel == .restHook ? "http://127.0.0.1:9/hook" : nil,
            headers: ["Authorization: Bearer x"], heartbeatSeconds: 30, owner: "akutlaege",
            created: Date(timeIntervalSince1970: 1_800_000_000))
    }

    static func audit(_ number: Int, emergency: Bool = false, patient: String = PlatformFixtures.bruno) -> AuditEntry {
        AuditEntry(
            recorded: Date(timeIntervalSince1970: 1_800_000_000 + Double(number) * 0.001),
            identity: Identity(id: "akutlaege", name: "Anna Akut", role: .doctor), patientCPR: patient,
            sourceID: "hospital", resourceTypes: ["Encounter", "Condition"], action: "search",
            purpose: emergency ? "EMERGENCY" : "TREAT", outcome: "success", reason: emergency ? "bevidstløs" : nil,
            emergency: emergency, client: "127.0.0.1")
    }

    @Test("Abonnementer gemmes, læses og ændres; listens version følger med", arguments: Backend.allCases)
    func subscriptions(backend: Backend) async throws {
        let under = try await backend.make()
        defer { Task { await under.remove() } }
        let storage = under.storage
        let before = try await storage.subscriptionSnapshot()
        try await storage.insertSubscription(Self.subscription("a"))
        try await storage.insertSubscription(Self.subscription("b", channel: .restHook))
        let read = try #require(try await storage.subscription(id: "b"))
        #expect(read == Self.subscription("b", channel: .restHook))
        let after = try await storage.subscriptionSnapshot()
        #expect(after.version > before.version)
        #expect(after.records.map(\.id) == ["a", "b"])
        try await storage.updateStatus(subscriptionID: "a", status: .off, error: nil)
        try await storage.updateStatus(subscriptionID: "b", status: .error, error: "Endepunktet svarer ikke")
        let last = try await storage.subscriptionSnapshot()
        #expect(last.version > after.version)
        #expect(last.records.map(\.id) == ["b"])
        #expect(last.records.first?.error == "Endepunktet svarer ikke")
        #expect(try await storage.subscription(id: "ingen") == nil)
    }

    @Test("Hændelser gemmes én gang og nummereres uden huller pr. abonnement", arguments: Backend.allCases)
    func numbering(backend: Backend) async throws {
        let under = try await backend.make()
        defer { Task { await under.remove() } }
        let storage = under.storage
        try await storage.insertSubscription(Self.subscription("a"))
        try await storage.insertSubscription(Self.subscription("b"))
        var version = try await storage.subscriptionSnapshot().version
        for index in 1...5 {
            let ids = index % 2 == 0 ? ["a", "b"] : ["a"]
            let result = try #require(
                try await storage.append(Self.event("e\(index)"), for: ids, subscriptionsVersion: version) { _ in })
            #expect(result.numbers["a"] == Int64(index))
        }
        // A source's retried delivery: nothing stored, nothing numbered.
        #expect(try await storage.append(Self.event("e3"), for: ["a"], subscriptionsVersion: version) { _ in } == nil)
        let a = try await storage.events(subscriptionID: "a", after: 0, through: nil, limit: 100)
        #expect(a.map(\.number) == [1, 2, 3, 4, 5])
        #expect(a.map(\.event.sourceKey) == ["e1", "e2", "e3", "e4", "e5"])
        #expect(
            a[0].event
                == {
                    var e = Self.event("e1"); e.id = a[0].event.id; return e
                }())
        let b = try await storage.events(subscriptionID: "b", after: 0, through: nil, limit: 100)
        #expect(b.map(\.number) == [1, 2])
        #expect(b.map(\.event.sourceKey) == ["e2", "e4"])
        #expect(try await storage.events(subscriptionID: "a", after: 1, through: 3, limit: 100).map(\.number) == [2, 3])
        #expect(try await storage.events(subscriptionID: "a", after: 0, through: nil, limit: 2).map(\.number) == [1, 2])
        #expect(try await storage.subscription(id: "a")?.eventCount == 5)
        let secondID = try #require(b[1].event.id)
        let firstID = try #require(a[0].event.id)
        let appended = try await storage.appended(eventIDs: [secondID, firstID, 999_999])
        #expect(appended.map(\.event.sourceKey) == ["e1", "e4"])
        #expect(appended.map(\.numbers) == [["a": 1], ["a": 4, "b": 2]])
        #expect(try await storage.codes(forFocus: Self.event("e2").focus) == [.acuteArrival])

        // Subscriptions changed since the caller read them: refused, nothing stored.
        try await storage.insertSubscription(Self.subscription("c"))
        await #expect(throws: StorageConflict.self) {
            _ = try await storage.append(Self.event("e6"), for: ["a"], subscriptionsVersion: version) { _ in }
        }
        #expect(try await storage.codes(forFocus: Self.event("e6").focus).isEmpty)
        version = try await storage.subscriptionSnapshot().version
        let sixth = try await storage.append(Self.event("e6"), for: ["a", "c"], subscriptionsVersion: version) { _ in }
        #expect(sixth?.numbers == ["a": 6, "c": 1])
    }

    @Test("To noder nummererer samtidigt: hvert nummer én gang, ingen huller", arguments: Backend.allCases)
    func concurrentNodes(backend: Backend) async throws {
        let under = try await backend.make()
        defer { Task { await under.remove() } }
        let first = under.storage
        let second = try await under.second()
        try await first.insertSubscription(Self.subscription("a"))
        try await first.insertSubscription(Self.subscription("b"))
        let version = try await second.subscriptionSnapshot().version
        let perWriter = 40
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                let node = writer % 2 == 0 ? first : second
                group.addTask {
                    for index in 0..<perWriter {
                        _ = try await node.append(
                            Self.event("w\(writer)-\(index)"), for: ["a", "b"], subscriptionsVersion: version
                        ) { _ in }
                    }
                }
            }
            try await group.waitForAll()
        }
        for id in ["a", "b"] {
            let fromFirst = try await first.events(subscriptionID: id, after: 0, through: nil, limit: 1000)
            let fromSecond = try await second.events(subscriptionID: id, after: 0, through: nil, limit: 1000)
            #expect(fromFirst.map(\.number) == Array(1...Int64(8 * perWriter)))
            #expect(Set(fromFirst.map(\.event.sourceKey)).count == 8 * perWriter)
            #expect(fromFirst == fromSecond)
        }
        // Both subscriptions saw the events in the same order (one commit order).
        let a = try await first.events(subscriptionID: "a", after: 0, through: nil, limit: 1000).map(\.event.sourceKey)
        let b = try await first.events(subscriptionID: "b", after: 0, through: nil, limit: 1000).map(\.event.sourceKey)
        #expect(a == b)
        await second.shutdown()
    }

    @Test("Leveret-til, bindingstokens og genåbning efter genstart", arguments: Backend.allCases)
    func deliveryAndTokens(backend: Backend) async throws {
        let under = try await backend.make()
        defer { Task { await under.remove() } }
        let storage = under.storage
        try await storage.insertSubscription(Self.subscription("hook", channel: .restHook))
        try await storage.setDelivered(subscriptionID: "hook", through: 7)
        try await storage.setDelivered(subscriptionID: "hook", through: 3)  // never backwards
        #expect(try await storage.subscription(id: "hook")?.deliveredThrough == 7)
        let expires = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 600).rounded())
        try await storage.saveBindingToken(BindingToken(token: "t1", subscriptionID: "hook", expires: expires))
        #expect(try await storage.bindingToken("t1") == BindingToken(token: "t1", subscriptionID: "hook", expires: expires))
        #expect(try await storage.bindingToken("t2") == nil)
        // Another node (or this one restarted) sees the same, and migrating again changes nothing.
        let again = try await under.second()
        #expect(try await again.subscription(id: "hook")?.deliveredThrough == 7)
        #expect(try await again.bindingToken("t1") != nil)
        await again.shutdown()
    }

    @Test("Adgangsloggen: én kæde fra to noder samtidigt; ændringer afvises og opdages", arguments: Backend.allCases)
    func auditChain(backend: Backend) async throws {
        let under = try await backend.make()
        defer { Task { await under.remove() } }
        let first = under.storage
        let second = try await under.second()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<6 {
                let node = writer % 2 == 0 ? first : second
                group.addTask {
                    for index in 0..<30 {
                        _ = try await node.appendAudit(
                            Self.audit(
                                writer * 100 + index, emergency: index == 7,
                                patient: writer == 5 ? "0201609995" : PlatformFixtures.bruno))
                    }
                }
            }
            try await group.waitForAll()
        }
        let all = try await second.auditEntries(patient: nil, emergencyOnly: false, after: 0, limit: 1000)
        #expect(all.map(\.sequence) == Array(1...180))
        #expect(AuditChain.verify(all).broken == nil)
        #expect(try await first.auditEntries(patient: nil, emergencyOnly: true, after: 0, limit: 100).count == 6)
        #expect(try await first.auditEntries(patient: "0201609995", emergencyOnly: false, after: 0, limit: 100).count == 30)
        #expect(
            try await first.auditEntries(patient: nil, emergencyOnly: false, after: 170, limit: 5).map(\.sequence) == [
                171, 172, 173, 174, 175,
            ])

        // The database refuses a change; the chain would catch one that got through.
        let refusal = await under.tamperAudit(sequence: 5)
        #expect(refusal?.contains("append-only") == true)
        var forged = all
        forged[4].outcome = "denied"
        #expect(AuditChain.verify(forged).broken?.sequence == 5)
        await second.shutdown()
    }
}
