import AsyncHTTPClient
import EventStream
import FHIR
import Foundation
import Platform
import TestSupport
import Testing

/// Two `sundhedscloud serve` processes over one PostgreSQL database, as an operator runs them. One is killed with
/// SIGKILL in the middle of a stream; its subscriber moves to the other and gets every event exactly once, in
/// order; the source keeps posting to whichever node answers.
@Suite(.timeLimit(.minutes(3))) struct NodeFailoverTests {
    static let total = 200
    static let secret = String(repeating: "k", count: 40)

    /// Starts one node on a free port; returns the process and its base URL.
    static func node(storage: String, sources: URL) async throws -> (ProcessRun, String) {
        let run = try ProcessRun(
            "sundhedscloud",
            [
                "serve", "--sources", sources.path, "--users", "demo-data/users.json", "--port", "0", "--storage",
                storage, "--token-secret", secret, "--insecure-http",
            ], directory: PlatformFixtures.repositoryRoot)
        let banner = await run.readUntil("Stop med Ctrl-C", timeout: .seconds(60))
        guard let range = banner.range(of: #"http://127\.0\.0\.1:\d+"#, options: .regularExpression) else {
            run.process.terminate()
            throw TestFailure("the node did not start: \(banner)")
        }
        return (run, String(banner[range]))
    }

    @Test("En node dræbes (SIGKILL) midt i strømmen: abonnenten fortsætter på den anden uden tab eller dubletter")
    func killedNodeLosesNothing() async throws {
        let storage = try await TestPostgres.freshDatabase()
        let directory = PlatformFixtures.temporaryDirectory()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sources = directory.appendingPathComponent("sources.toml")
        try """
        [[source]]
        id = "hospital"
        name = "Hospital"
        sector = "hospital"
        fhir = "\(PlatformFixtures.deadSourceBase)"
        notify_secret_sha256 = "\(NotifyCredentials.hash(of: PlatformFixtures.notifySecret("hospital")))"
        """.write(to: sources, atomically: true, encoding: .utf8)
        let (runA, a) = try await Self.node(storage: storage, sources: sources)
        let (runB, b) = try await Self.node(storage: storage, sources: sources)
        defer {
            for run in [runA, runB] where run.process.isRunning { run.process.terminate() }
        }

        // The citizen's token (good on both nodes) and subscription to his own arrivals, made on A. (Not the ED
        // doctor's: the source here is not there to show a care relationship, so she may not be told of him.)
        let tokenAnswer = try await HTTP.post("\(a)/auth/token", J(["user": "borger-bruno"]))
        let token = try #require(tokenAnswer.json?["access_token"]?.stringValue, "token: \(tokenAnswer.text)")
        let access: AccessToken = { token }
        let http = HTTP.makeClient()
        let created = try await SubscriptionSetup.ensure(
            SubscriptionSetup.Wish(
                topic: "akut-ankomst", filters: ["patient=\(PlatformFixtures.bruno)"], owner: "borger-bruno"),
            engineURL: a, httpClient: http, token: access)
        let client = EventStreamClient(
            engineURL: a, alternateURLs: [b], subscriptionID: created.id, lastEventID: 0, httpClient: http,
            backoff: .init(initial: .milliseconds(20), maximum: .milliseconds(200), offlineAfter: 100),
            silenceLimit: .seconds(5), token: access)
        let received = Collected<Int64>()
        let nodes = Collected<String>()
        let listening = Task {
            for await update in client.updates() {
                switch update {
                case .notification(let notification): received.append(notification.number)
                case .state(.live): nodes.append(client.engineURL)
                case .state: break
                }
                if received.count >= Self.total { break }
            }
        }
        #expect(await eventually(within: .seconds(10)) { nodes.count >= 1 }, "the subscriber is live on A")

        // The source posts to A and B in turn; a node that does not answer is left for the other (as a source
        // with two engine addresses would), and a post is retried until one accepts it.
        let posted = Locked(0)
        let posting = Task {
            for n in 1...Self.total {
                let bundle = Notifications.arrival(n)
                var target = n % 2 == 0 ? b : a
                while !Task.isCancelled {
                    if let answer = try? await HTTP.send(
                        "\(target)/notify/hospital", method: .POST, body: bundle.serialized(),
                        headers: HTTP.notifyAuthorization("hospital"), client: http),
                        answer.status == 200
                    {
                        break
                    }
                    target = target == a ? b : a
                    try? await Task.sleep(for: .milliseconds(10))
                }
                posted.value = n
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        _ = await eventually(within: .seconds(30), every: .milliseconds(2)) { posted.value >= Self.total / 2 }
        kill(runA.process.processIdentifier, SIGKILL)

        let all = await received.wait(for: Self.total, within: .seconds(60))
        posting.cancel()
        listening.cancel()
        await posting.value
        await listening.value
        try? await http.shutdown()

        #expect(!runA.process.isRunning, "node A was killed")
        #expect(all.count == Self.total, "received \(all.count) of \(Self.total)")
        #expect(all == (1...Int64(Self.total)).map { $0 }, "exactly 1...\(Self.total), each once, in order")
        #expect(nodes.all.first == a)
        #expect(nodes.all.last == b, "the subscriber moved to B: \(nodes.all)")
        // B still answers for the subscription, with every event.
        #expect(try await SubscriptionQueries(base: b, token: token).eventCount(created.id) == Int64(Self.total))
        runB.process.terminate()
        #expect(await runB.waitForExit(timeout: .seconds(10)))
    }
}
