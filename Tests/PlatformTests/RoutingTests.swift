import Assembly
import FHIR
import Federation
import Foundation
import Hummingbird
import HummingbirdTesting
import Platform
import Testing

/// The node's routes and access policy driven in-process (HummingbirdTesting's router client): what is refused,
/// and how, before anything would cross the network. The node is assembled as `serve` assembles one; its sources
/// are never reached here (nothing listens at their addresses).
@Suite struct RoutingTests {
    static func node() async throws -> PlatformAssembly.InProcessNode {
        let directory = PlatformFixtures.temporaryDirectory()
        var configuration = PlatformAssembly.Configuration(
            storage: try SQLiteStorage(path: directory.appendingPathComponent("platform.sqlite").path),
            tokens: try await TokenAuthority.sharedSecret(GW.secret))
        configuration.sources = [
            SourceDefinition(
                id: "hospital", name: "Herlev og Gentofte Hospital (EPJ)", sector: .hospital, fhir: "http://127.0.0.1:9/fhir")
        ]
        configuration.users = try Identity.loadUsers(
            file: PlatformFixtures.repositoryRoot.appendingPathComponent("demo-data/users.json"))
        configuration.logger = GW.quietLogger
        return try await PlatformAssembly.inProcess(configuration)
    }

    static func json(_ response: TestResponse) -> JSONValue? { try? JSONValue.parse(Data(buffer: response.body)) }

    @Test func theDemoLoginIssuesATokenOnlyForAKnownUser() async throws {
        let node = try await Self.node()
        try await Application(router: node.router).test(.router) { client in
            let known = try await client.execute(
                uri: "/auth/token", method: .post, body: ByteBuffer(string: #"{"user":"akutlaege"}"#))
            #expect(known.status == .ok)
            #expect(Self.json(known)?["access_token"]?.stringValue?.isEmpty == false)
            let unknown = try await client.execute(
                uri: "/auth/token", method: .post, body: ByteBuffer(string: #"{"user":"dr-ukendt"}"#))
            #expect(unknown.status == .badRequest)
            #expect(Self.json(unknown)?["resourceType"]?.stringValue == "OperationOutcome")
        }
        await node.stop()
    }

    @Test func withoutATokenNothingIsForwarded() async throws {
        let node = try await Self.node()
        let gateway = node.gateway
        try await Application(router: node.router).test(.router) { client in
            let answer = try await client.execute(uri: "/sources/hospital/fhir/Patient?_id=1", method: .get)
            #expect(answer.status == .unauthorized)
            let issue = Self.json(answer)?["issue"]?.listValue.first
            #expect(issue?["code"]?.stringValue == "login")
            #expect(issue?["diagnostics"]?.stringValue?.contains("adgangstoken") == true, "Danish diagnostics")
            #expect(issue?["details"]?["text"]?.stringValue?.contains("access token") == true, "English details")
            #expect(try await gateway.storage.auditHead().sequence == 0, "nothing read, nothing logged")
        }
        await node.stop()
    }

    @Test func anUnknownSourceOrPathIsRefusedInWords() async throws {
        let node = try await Self.node()
        let token = try await node.gateway.issueDemoToken(user: "akutlaege").token
        let gateway = node.gateway
        try await Application(router: node.router).test(.router) { client in
            let headers: HTTPFields = [.authorization: "Bearer \(token)"]
            let unknown = try await client.execute(uri: "/sources/apotek/fhir/Patient", method: .get, headers: headers)
            #expect(unknown.status == .notFound)
            #expect(Self.json(unknown)?["issue"]?.listValue.first?["diagnostics"]?.stringValue?.contains("apotek") == true)
            let bare = try await client.execute(uri: "/sources/hospital/fhir/Patient/1/2/3", method: .get, headers: headers)
            #expect(bare.status == .badRequest)
            // Log follow-up reads the log, never clinical data: a search across patients is refused before anything is
            // asked of the source (one patient's data is refused after the source names the patient, and logged).
            let auditor = try await gateway.issueDemoToken(user: "logopfoelgning").token
            let clinical = try await client.execute(
                uri: "/sources/hospital/fhir/Encounter?class=EMER", method: .get,
                headers: [.authorization: "Bearer \(auditor)"])
            #expect(clinical.status == .forbidden)
        }
        await node.stop()
    }

    @Test func theTopicsAndTheHealthNeedNoToken() async throws {
        let node = try await Self.node()
        try await Application(router: node.router).test(.router) { client in
            let topics = try await client.execute(uri: "/SubscriptionTopic", method: .get)
            #expect(topics.status == .ok)
            #expect(Self.json(topics)?["resourceType"]?.stringValue == "Bundle")
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .ok)
            #expect(Self.json(health)?["status"]?.stringValue == "ok")
        }
        await node.stop()
    }
}
