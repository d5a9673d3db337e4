import FHIR
import Foundation
import Hummingbird
import Platform
import Testing

/// Sources prove who they are: a notification without the source's secret is 401, with another source's secret 403,
/// and a source may announce only its own resources: a focus outside its FHIR base is not used and never fetched.
@Suite(.timeLimit(.minutes(3))) struct SourceAuthenticationTests {
    /// A FHIR server on a free loopback port that only counts the requests it gets.
    final class CountingServer: Sendable {
        let hits = Locked(0)
        let server: LoopbackServer

        var base: String { "http://127.0.0.1:\(server.port)/fhir" }

        init() async throws {
            let hits = self.hits
            server = try await LoopbackServer(label: "counting-server") { router in
                router.get("**") { _, _ -> Response in
                    hits.withLock { $0 += 1 }
                    return Response(status: .notFound)
                }
            }
        }

        func stop() async { await server.stop() }
    }

    static func arrival(number: Int64 = 1) -> JSONValue {
        Notifications.r4(
            base: PlatformFixtures.deadSourceBase, topic: "akut-ankomst", number: number,
            focus: Notifications.encounter(id: "h-enc-auth-\(number)", patientID: "p1"),
            patient: Notifications.patient(id: "p1", cpr: PlatformFixtures.bruno))
    }

    func expectRefused(_ answer: Answer, _ status: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(answer.status == status, "\(answer.text)", sourceLocation: sourceLocation)
        #expect(answer.resourceType == "OperationOutcome", "\(answer.text)", sourceLocation: sourceLocation)
    }

    @Test("Uden kildens nøgle 401, med en anden kildes nøgle 403; intet gemmes")
    func aNotificationNeedsTheSourcesOwnSecret() async throws {
        let sources = ["hospital": PlatformFixtures.deadSourceBase, "gp": "http://127.0.0.1:9/gp/fhir"]
        try await EngineHarness.with(sources: sources) { harness in
            let subscription = try await harness.subscribe("akut-ankomst")
            let url = "\(harness.base)/notify/hospital"
            let body = Self.arrival().serialized()
            expectRefused(try await HTTP.send(url, method: .POST, body: body), 401)
            expectRefused(
                try await HTTP.send(url, method: .POST, body: body, headers: [("Authorization", "Bearer gættet")]), 401)
            expectRefused(
                try await HTTP.send(url, method: .POST, body: body, headers: [("Authorization", "Basic aG9zcGl0YWw6eA==")]),
                401)
            let asGP = try await HTTP.send(url, method: .POST, body: body, headers: HTTP.notifyAuthorization("gp"))
            expectRefused(asGP, 403)
            #expect(asGP.diagnostics.contains("anden kilde"), "\(asGP.diagnostics)")
            // A secret of 100 kB is refused like any wrong one, not read into a hash.
            let huge = "Bearer " + String(repeating: "x", count: 100_000)
            let hugeAnswer = try? await HTTP.send(url, method: .POST, body: body, headers: [("Authorization", huge)])
            #expect(hugeAnswer.map { (400..<500).contains($0.status) } ?? true)
            #expect(try await harness.eventCount(subscription) == 0)

            let accepted = try await HTTP.notify(url, Self.arrival())
            #expect(accepted.status == 200, "\(accepted.text)")
            #expect(try await harness.eventCount(subscription) == 1)
        }
    }

    @Test("En kilde kan kun melde om sine egne ressourcer: fokus hos en anden kilde bruges ikke og hentes aldrig")
    func aFocusOutsideTheSourcesBaseIsNeitherUsedNorFetched() async throws {
        let other = try await CountingServer()
        do {
            let sources = ["hospital": PlatformFixtures.deadSourceBase, "gp": other.base]
            try await EngineHarness.with(sources: sources) { harness in
                let subscription = try await harness.subscribe("akut-ankomst")
                let foreign = [
                    "\(other.base)/Encounter/e1",
                    "\(PlatformFixtures.deadSourceBase)/../../gp/fhir/Encounter/e1",
                    "\(PlatformFixtures.deadSourceBase)/Encounter/e1?_format=json",
                    "\(PlatformFixtures.deadSourceBase)/Encounter/%2e%2e/e1",
                ]
                for (index, focus) in foreign.enumerated() {
                    let answer = try await HTTP.notify(
                        "\(harness.base)/notify/hospital",
                        Notifications.r4b(topic: "akut-ankomst", number: Int64(index + 1), focus: focus))
                    #expect(answer.status == 200, "\(answer.text)")
                    #expect(answer.text.contains("uden for kildens"), "\(focus): \(answer.text)")
                }
                // The hospital's embedded copy of a GP resource is not taken either.
                var bundle = Self.arrival(number: 9)
                bundle = try replacingFocus(in: bundle, with: "\(other.base)/Encounter/h-enc-auth-9")
                let embedded = try await HTTP.notify("\(harness.base)/notify/hospital", bundle)
                #expect(embedded.text.contains("uden for kildens"), "\(embedded.text)")
                #expect(try await harness.eventCount(subscription) == 0)
                #expect(other.hits.value == 0, "the engine fetched from another source in the hospital's name")
            }
        } catch {
            await other.stop()
            throw error
        }
        await other.stop()
    }

    /// The notification with its event's focus (and the focus entry's fullUrl) set to `url`.
    func replacingFocus(in bundle: JSONValue, with url: String) throws -> JSONValue {
        let text = String(decoding: bundle.serialized(), as: UTF8.self)
            .replacingOccurrences(
                of: "\(PlatformFixtures.deadSourceBase)/Encounter/h-enc-auth-9", with: url)
        return try JSONValue.parse(Data(text.utf8))
    }
}
