import AsyncHTTPClient
import DemoSources
import FHIR
import Federation
import Foundation
import NIOCore
import Platform
import Testing
import Transport
import Words

/// Encrypted transport: the node and the sources on TLS, the gateway showing its client certificate to a source
/// that asks (mutual TLS), and every certificate that should not be accepted refused in words: at start-up for a
/// server's own files, in the source's status for a client.
@Suite(.timeLimit(.minutes(3))) struct TLSTests {
    static func folder() -> URL { PlatformFixtures.temporaryDirectory() }

    static let brunoPatient: JSONValue = J([
        "resourceType": "Patient", "id": "p1",
        "identifier": [["system": DanishSystems.cpr, "value": PlatformFixtures.bruno]],
        "name": [["family": "Elmer", "given": ["Bruno", "Test"]]],
    ])

    /// A FHIR source with one patient, listening with `tls`.
    static func source(_ tls: ServerTLS?) async throws -> DemoSourceServer {
        let store = try ResourceStore(resources: [brunoPatient], supportedTypes: ["Patient", "Encounter"])
        let server = DemoSourceServer(id: "hospital", name: "Hospital", sector: "hospital", store: store, tls: tls)
        try await server.start()
        return server
    }

    static func client(_ trust: ClientTLS) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(3)
        configuration.tlsConfiguration = trust.configuration
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// What the client says about a source with this certificate (the source status's words).
    static func clientSays(about server: ServerTLS, trusting trust: ClientTLS) async throws -> FetchFailure? {
        let source = try await source(server)
        let http = client(trust)
        defer { Task { try? await http.shutdown() } }
        let client = FHIRHTTPClient(http: http, trust: trust)
        let url = (await source.baseURL ?? "-") + "/Patient/p1"
        do {
            _ = try await client.get(url, deadline: .now() + .seconds(5))
            await source.stop()
            return nil
        } catch {
            await source.stop()
            return error
        }
    }

    @Test("Udløbet, forkert navn, ukendt CA: kilden afvises med grunden i ord, intet sendes")
    func badCertificatesAreRefusedInWords() async throws {
        let good = try DemoPKI.make(in: Self.folder())
        let trust = try good.clientTLS()
        // Expired a week ago (made 30 days back, valid for 7).
        let past = Date().addingTimeInterval(-30 * 86_400)
        let expired = try DemoPKI.make(in: Self.folder(), days: 7, now: past)
        let expiredTrust = try ClientTLS.load(ca: expired.caFile, now: past)
        let failure = try await Self.clientSays(about: try expired.serverTLS(now: past), trusting: expiredTrust)
        #expect(failure?.kind == .certificate)
        #expect(failure?.description.contains("udløbet") == true, "\(failure?.description ?? "accepted")")
        // For another name.
        let otherName = try DemoPKI.make(in: Self.folder(), serverNames: ["sundhed.example"])
        let renamed = try await Self.clientSays(
            about: try otherName.serverTLS(), trusting: try ClientTLS.load(ca: otherName.caFile))
        #expect(renamed?.kind == .certificate)
        #expect(renamed?.description.contains("andet navn") == true, "\(renamed?.description ?? "accepted")")
        // From a CA the client does not trust.
        let stranger = try DemoPKI.make(in: Self.folder())
        let unknown = try await Self.clientSays(about: try stranger.serverTLS(), trusting: trust)
        #expect(unknown?.kind == .certificate)
        #expect(unknown?.description.contains("betroet CA") == true, "\(unknown?.description ?? "accepted")")
        // The right one passes.
        #expect(try await Self.clientSays(about: try good.serverTLS(), trusting: trust) == nil)
    }

    @Test("En klient med TLS mod en kilde uden TLS: en fejl i ord, ingen stille nedgradering til HTTP")
    func aPlainSourceIsNotQuietlyUsed() async throws {
        let plain = try await Self.source(nil)
        let trust = try DemoPKI.make(in: Self.folder()).clientTLS()
        let http = Self.client(trust)
        let client = FHIRHTTPClient(http: http, trust: trust)
        let https = (await plain.baseURL ?? "-").replacingOccurrences(of: "http:", with: "https:") + "/Patient/p1"
        await #expect(throws: FetchFailure.self) { _ = try await client.get(https, deadline: .now() + .seconds(5)) }
        do {
            _ = try await client.get(https, deadline: .now() + .seconds(5))
        } catch {
            #expect(error.kind == .certificate, "\(error)")
        }
        try await http.shutdown()
        await plain.stop()
    }

    @Test("Serverens egne filer: udløbet, nøgle der ikke passer, forkert navn, ikke PEM: startfejl der navngiver filen")
    func aServerWithBadFilesDoesNotStart() throws {
        let past = Date().addingTimeInterval(-30 * 86_400)
        let expired = try DemoPKI.make(in: Self.folder(), days: 7, now: past)
        #expect {
            _ = try expired.serverTLS()
        } throws: { error in
            "\(error)".contains(expired.serverCertificateFile) && "\(error)".contains("udløbet")
        }
        let a = try DemoPKI.make(in: Self.folder())
        let b = try DemoPKI.make(in: Self.folder())
        #expect {
            _ = try ServerTLS.load(certificate: a.serverCertificateFile, key: b.serverKeyFile)
        } throws: { error in
            "\(error)".contains(b.serverKeyFile) && "\(error)".contains("passer ikke")
        }
        #expect {
            _ = try ServerTLS.load(certificate: a.serverCertificateFile, key: a.serverKeyFile, host: "sundhed.example")
        } throws: { error in
            "\(error)".contains("gælder ikke sundhed.example")
        }
        #expect(throws: TLSSetupError.self) {
            _ = try ServerTLS.load(certificate: a.directory.appendingPathComponent("mangler.pem").path, key: a.serverKeyFile)
        }
        let notPEM = a.directory.appendingPathComponent("ikke.pem")
        try Data("hello".utf8).write(to: notPEM)
        #expect {
            _ = try ServerTLS.load(certificate: notPEM.path, key: a.serverKeyFile)
        } throws: { error in
            "\(error)".contains("PEM")
        }
        #expect(try a.serverTLS().names.contains("127.0.0.1"))
    }

    @Test("Gatewayen viser sit klientcertifikat til en kilde der kræver det; uden bliver den afvist")
    func theGatewayUsesMutualTLSTowardsASourceThatAsks() async throws {
        let pki = try DemoPKI.make(in: Self.folder())
        let source = try await Self.source(try pki.mutualServerTLS())
        let base = await source.baseURL ?? "-"
        let directory = PlatformFixtures.temporaryDirectory()
        let storage = try SQLiteStorage(path: directory.appendingPathComponent("platform.sqlite").path)
        let users = try Identity.loadUsers(file: PlatformFixtures.repositoryRoot.appendingPathComponent("demo-data/users.json"))
        func node(_ trust: ClientTLS) async throws -> PlatformServer {
            let engine = EventEngine(storage: storage, sources: ["hospital": base], logger: PlatformFixtures.engineLogger)
            let gateway = Gateway(
                sources: [GatewaySource(id: "hospital", name: "Hospital", sector: "hospital", fhir: base, timeoutMs: 10_000)],
                tokens: try await TokenAuthority.ephemeral(), users: users, storage: storage, clientTLS: trust)
            return try await PlatformServer.start(engine: engine, gateway: gateway, tls: try pki.serverTLS())
        }
        let http = Self.client(try pki.clientTLS())
        func read(_ server: PlatformServer) async throws -> (Int, String) {
            var login = HTTPClientRequest(url: server.baseURL + "/auth/token")
            login.method = .POST
            login.body = .bytes(ByteBuffer(string: #"{"user":"borger-bruno"}"#))
            let tokenResponse = try await http.execute(login, timeout: .seconds(10))
            let token =
                try JSONValue.parse(Data(buffer: try await tokenResponse.body.collect(upTo: 1 << 20)))["access_token"]?
                .stringValue ?? ""
            var request = HTTPClientRequest(url: server.baseURL + "/sources/hospital/fhir/Patient/p1")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let response = try await http.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            return (Int(response.status.code), String(buffer: body))
        }
        let withCertificate = try await node(try pki.gatewayTLS())
        #expect(withCertificate.baseURL.hasPrefix("https://"))
        let (status, text) = try await read(withCertificate)
        #expect(status == 200, "\(text)")
        #expect(text.contains("Elmer"))
        await withCertificate.stop()

        let without = try await node(try pki.clientTLS())
        let (refused, why) = try await read(without)
        #expect(refused == 502 || refused == 403 || refused == 503, "\(why)")
        #expect(!why.contains("Elmer"))
        await without.stop()
        try await http.shutdown()
        await source.stop()
        await storage.shutdown()
    }
}
