import DemoSources
import FHIR
import Foundation
import NIOHTTP1
import Synchronization
import Testing

/// FHIR Bulk Data Access v2 at the demo sources, as the analysis platform (or any Bulk Data client) meets it over
/// real HTTP: only with the source's export credential; kick-off, polling, the manifest, the NDJSON files, `_type`,
/// `_since`, patient and group exports, cancelling, and every mistake a client can make answered with an
/// OperationOutcome.
@Suite(.timeLimit(.minutes(3))) struct BulkExportTests {
    func source(_ id: String = "hospital") async throws -> (base: String, auth: [(String, String)], server: DemoSourceServer) {
        let cluster = try await Fixtures.shared.get()
        let server = try #require(cluster.server(id))
        let base = try #require(await server.baseURL)
        return (base, [("Authorization", "Bearer \(server.exportSecret)")], server)
    }

    static let async = [("Prefer", "respond-async"), ("Accept", "application/fhir+json")]

    /// Kick-off, then the status URL polled (as `Retry-After` says, at most 30 s) until the manifest comes.
    static func export(_ url: String, auth: [(String, String)]) async throws -> (manifest: JSONValue, status: String) {
        let kickOff = try await HTTP.get(url, headers: auth + async)
        #expect(kickOff.status == 202, "\(kickOff.text)")
        let status = try #require(kickOff.headers.first(name: "Content-Location"))
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let polled = try await HTTP.get(status, headers: auth)
            if polled.status == 200 {
                #expect(polled.headers.first(name: "Content-Type")?.hasPrefix("application/json") == true)
                return (try polled.json(), status)
            }
            #expect(polled.status == 202, "\(polled.text)")
            #expect(polled.headers.first(name: "Retry-After") != nil)
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("the export of \(url) did not finish in 30 s")
    }

    /// Every line of every file of the manifest, by type, each checked to be one resource of its type.
    static func download(_ manifest: JSONValue, auth: [(String, String)]) async throws -> [String: [JSONValue]] {
        var found: [String: [JSONValue]] = [:]
        for output in manifest["output"]?.listValue ?? [] {
            let type = try #require(output["type"]?.stringValue)
            let url = try #require(output["url"]?.stringValue)
            let file = try await HTTP.get(url, headers: auth)
            #expect(file.status == 200)
            #expect(file.headers.first(name: "Content-Type") == "application/fhir+ndjson")
            let lines = file.text.split(separator: "\n")
            #expect(lines.count == Int(output["count"]?.numberValue ?? -1), "\(url): the count is the lines")
            for line in lines {
                let resource = try JSONValue.parse(Data(line.utf8))
                #expect(resource["resourceType"]?.stringValue == type)
                found[type, default: []].append(resource)
            }
        }
        return found
    }

    @Test func theWholeSourceComesAsNDJSONFilesWithAManifest() async throws {
        let (base, auth, server) = try await source()
        let url = "\(base)/$export?_outputFormat=\(HTTP.q("application/fhir+ndjson"))"
        let (manifest, _) = try await Self.export(url, auth: auth)
        #expect(manifest["request"]?.stringValue == url)
        #expect(manifest["requiresAccessToken"] == .bool(true))
        #expect((try? FHIRDateTime(manifest["transactionTime"]?.stringValue ?? "")) != nil)
        #expect(manifest["error"] == .array([]))
        let found = try await Self.download(manifest, auth: auth)
        for type in ["Patient", "Condition", "Encounter", "Observation"] {
            #expect(found[type]?.count == server.store.count(type: type), "\(type)")
        }
        // The files need the credential too.
        let file = try #require(manifest["output"]?.listValue.first?["url"]?.stringValue)
        #expect(try await HTTP.get(file).status == 401)
    }

    @Test func typeSinceAndPatientExportsNarrowIt() async throws {
        let (base, auth, server) = try await source()
        let (typed, _) = try await Self.export("\(base)/$export?_type=Patient,Condition", auth: auth)
        let found = try await Self.download(typed, auth: auth)
        #expect(Set(found.keys) == ["Patient", "Condition"])
        #expect(found["Patient"]?.count == server.store.count(type: "Patient"))
        // Nothing has changed since a moment from now; everything since long ago.
        let future = HTTP.q(FHIRDateTime(date: Date().addingTimeInterval(3600), precision: .second).text)
        let (none, _) = try await Self.export("\(base)/$export?_type=Patient&_since=\(future)", auth: auth)
        #expect(try await Self.download(none, auth: auth).isEmpty)
        let (all, _) = try await Self.export("\(base)/$export?_type=Patient&_since=2000-01-01T00:00:00Z", auth: auth)
        #expect(try await Self.download(all, auth: auth)["Patient"]?.count == server.store.count(type: "Patient"))
        // Patient/$export: only what belongs to a patient (no organisations).
        let (patients, _) = try await Self.export("\(base)/Patient/$export", auth: auth)
        let compartment = try await Self.download(patients, auth: auth)
        #expect(compartment["Organization"] == nil && compartment["Patient"] != nil)
        #expect(compartment["Condition"]?.count == server.store.count(type: "Condition"))
    }

    @Test func everyMistakeIsAnOutcomeAndNobodyElseExports() async throws {
        let (base, auth, _) = try await source()
        func answer(_ path: String, _ headers: [(String, String)]) async throws -> HTTPAnswer {
            try await HTTP.get(base + path, headers: headers)
        }
        let none = try await answer("/$export", Self.async)
        #expect(none.status == 401)
        #expect(none.headers.first(name: "WWW-Authenticate") == "Bearer")
        #expect(try none.outcome().issue.first?.code == "login")
        #expect(try await answer("/$export", Self.async + [("Authorization", "Bearer forged")]).status == 401)
        let cases: [(String, [(String, String)], Int, String)] = [
            ("/$export", auth, 400, "respond-async"),
            ("/$export?_type=Nonsense", auth + Self.async, 400, "Nonsense"),
            ("/$export?_since=yesterday", auth + Self.async, 400, "_since"),
            ("/$export?_since=2026-01-01", auth + Self.async, 400, "_since"),
            ("/$export?_outputFormat=text/csv", auth + Self.async, 400, "text/csv"),
            ("/$export?_typeFilter=Patient%3Factive%3Dtrue", auth + Self.async, 400, "_typeFilter"),
            ("/Group/nope/$export", auth + Self.async, 404, "nope"),
            ("/$export-status/nope", auth, 404, "nope"),
            ("/$export-file/nope/Patient-1.ndjson", auth, 404, "Patient-1"),
        ]
        for (path, headers, status, words) in cases {
            let refused = try await answer(path, headers)
            #expect(refused.status == status, "\(path): \(refused.text)")
            #expect(try refused.outcome().issue.first?.diagnostics?.contains(words) == true, "\(path): \(refused.text)")
        }
        // Lenient: an unsupported parameter is passed over.
        let lenient = try await answer(
            "/$export?_type=Patient&_typeFilter=x", auth + [("Prefer", "respond-async, handling=lenient")])
        #expect(lenient.status == 202)
        // Another source's credential does not open this one.
        let (_, other, _) = try await source("gp")
        #expect(try await answer("/$export", other + Self.async).status == 401)
    }

    @Test func aGroupExportHasOnlyItsMembers() async throws {
        func json(_ text: String) throws -> JSONValue { try JSONValue.parse(Data(text.utf8)) }
        let store = try ResourceStore(
            resources: [
                try json(#"{"resourceType":"Patient","id":"a"}"#), try json(#"{"resourceType":"Patient","id":"b"}"#),
                try json(#"{"resourceType":"Condition","id":"ca","subject":{"reference":"Patient/a"}}"#),
                try json(#"{"resourceType":"Condition","id":"cb","subject":{"reference":"Patient/b"}}"#),
                try json(#"{"resourceType":"Organization","id":"o"}"#),
                try json(
                    #"{"resourceType":"Group","id":"kol","type":"person","actual":true,"member":[{"entity":{"reference":"Patient/a"}}]}"#
                ),
            ], supportedTypes: ["Patient", "Condition", "Organization", "Group"])
        let server = DemoSourceServer(id: "group", name: "Gruppe", sector: "other", store: store)
        try await server.start()
        let base = try #require(await server.baseURL)
        let auth = [("Authorization", "Bearer \(server.exportSecret)")]
        let (manifest, _) = try await Self.export("\(base)/Group/kol/$export?_type=Patient,Condition", auth: auth)
        let found = try await Self.download(manifest, auth: auth)
        #expect(found["Patient"]?.compactMap { $0["id"]?.stringValue } == ["a"])
        #expect(found["Condition"]?.compactMap { $0["id"]?.stringValue } == ["ca"])
        await server.shutdown()
    }

    /// A source whose export takes its time: 202 with `X-Progress` while it runs; `DELETE` stops it and its files go;
    /// more than four at once is 429.
    @Test func aRunningExportSaysHowFarItIsAndCanBeCancelled() async throws {
        let slow = SlowSource()
        let store = try ResourceStore(resources: [], supportedTypes: ["Patient"])
        let server = DemoSourceServer(id: "slow", name: "Langsom", sector: "other", store: store, bulkSource: slow)
        try await server.start()
        let base = try #require(await server.baseURL)
        let auth = [("Authorization", "Bearer \(server.exportSecret)")]
        var statuses: [String] = []
        for _ in 0..<4 {
            let kickOff = try await HTTP.get("\(base)/$export", headers: auth + Self.async)
            #expect(kickOff.status == 202)
            statuses.append(try #require(kickOff.headers.first(name: "Content-Location")))
        }
        let fifth = try await HTTP.get("\(base)/$export", headers: auth + Self.async)
        #expect(fifth.status == 429, "\(fifth.text)")
        // Wait until the first has written something, then look.
        var progress: String?
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let polled = try await HTTP.get(statuses[0], headers: auth)
            #expect(polled.status == 202, "\(polled.text.prefix(300))")
            progress = polled.headers.first(name: "X-Progress")
            if progress?.hasPrefix("0 %") == false { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(progress?.contains("af ca. 10000 ressourcer") == true, "\(progress ?? "-")")
        let jobFolder = server.bulkExports.root.appendingPathComponent(String(statuses[0].split(separator: "/").last!))
        #expect(FileManager.default.fileExists(atPath: jobFolder.path), "it writes to its folder")
        for status in statuses {
            #expect(try await HTTP.get(status, headers: auth, method: .DELETE).status == 202)
            #expect(try await HTTP.get(status, headers: auth).status == 404)
        }
        #expect(try await HTTP.get(statuses[0], headers: auth, method: .DELETE).status == 404, "once")
        // The cancelled jobs stop and their files go (within a few seconds).
        let gone = ContinuousClock.now + .seconds(10)
        while FileManager.default.fileExists(atPath: jobFolder.path) || slow.stopped.withLock({ $0 }) < 4,
            ContinuousClock.now < gone
        {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(!FileManager.default.fileExists(atPath: jobFolder.path))
        #expect(slow.stopped.withLock { $0 } == 4, "every cancelled job stopped writing")
        await server.shutdown()
    }
}

/// A source that writes 2,000 small Patients and then one a millisecond until it is cancelled: an export that is
/// still running when the test looks, however loaded the machine.
final class SlowSource: BulkSource {
    let stopped = Mutex(0)
    var exportTypes: [String] { ["Patient"] }
    func estimatedCount(of type: String) -> Int { 10_000 }
    func groupMembers(_ id: String) -> Set<String>? { nil }
    func forEach(
        _ type: String, since: Date?, patients: Set<String>?, patientsOnly: Bool, _ line: ([UInt8]) throws -> Void
    ) throws {
        do {
            for index in 0... {
                try line(Array(#"{"resourceType":"Patient","id":"p\#(index)"}"#.utf8))
                if index > 2000 { usleep(1000) }
            }
        } catch {
            stopped.withLock { $0 += 1 }
            throw error
        }
    }
}
