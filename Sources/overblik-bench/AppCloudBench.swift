import Assembly
import AsyncHTTPClient
import DemoSources
import FHIR
import Federation
import Foundation
import JWTKit
import NIOCore
import Platform

/// The app cloud ([4/6]): what holding an app's token to its scopes adds to a gateway request, and the token
/// endpoint for a backend service (assertion verified, jti claimed in SQLite, token issued), over loopback HTTP.
///
/// - `appcloud_scope_check_*`: `SMARTScopes.allow` alone, on a token with the registered scopes.
/// - `appcloud_app_admission_*`: `Gateway.appDenial` as a request pays it (the registry's version read from SQLite,
///   installation, status, pilot, scopes).
/// - `appcloud_gateway_*`: the same search through the gateway with a user's token and with an app's token, alternated.
/// - `appcloud_token_*`: `POST /auth/smart/token`, each with a new signed assertion (signing is the client's and not
///   counted), one after another, then 8 clients at once.
enum AppCloudBench {
    static func run(data: DemoDataSet, iterations: Int, report: inout BenchReport) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("overblik-bench-apps-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (cluster, server) = try await SummaryBench.node(data: data, folder: folder)
        let gateway = server.gateway!
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)

        // The vendor's key and app, approved and installed for the GP practice.
        let key = ES384PrivateKey()
        guard let (x, y) = key.publicKey.parameters else { throw BenchFailure("no key parameters") }
        let jwks = String(
            decoding: try JSONEncoder().encode(
                JWKS(keys: [JWK.ecdsa(.es384, identifier: JWKIdentifier(string: "k1"), x: x, y: y, curve: .p384)])),
            as: UTF8.self)
        let practice = Identity.Organization(system: "urn:oid:1.2.208.176.1.4", value: "046781", name: "Lægehuset")
        try await gateway.apps.register(
            AppRegistration(
                clientID: "bench-app", name: "Bench", vendor: "Bench ApS", kind: .backendService, jwks: jwks,
                scopes: ["system/Condition.rs", "system/Patient.rs", "system/MedicationRequest.rs"]))
        try await gateway.apps.setStatus("bench-app", .approved)
        try await gateway.apps.install(AppInstallation(clientID: "bench-app", organization: practice, role: .gp))
        let tokenURL = server.baseURL + "/auth/smart/token"
        func assertion() async throws -> String {
            try await ClientAssertion.sign(client: "bench-app", audience: tokenURL, key: key, kid: "k1")
        }
        func tokenRequest(_ assertion: String) async throws -> String {
            var request = HTTPClientRequest(url: tokenURL)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let form = [
                ("grant_type", "client_credentials"), ("client_assertion_type", ClientAssertion.type),
                ("client_assertion", assertion),
            ].map { "\($0.0)=\(QueryString.encodeComponent($0.1))" }.joined(separator: "&")
            request.body = .bytes(ByteBuffer(string: form))
            let response = try await http.execute(request, timeout: .seconds(10))
            let body = try JSONValue.parse(Data(try await response.body.collect(upTo: 1 << 20).readableBytesView))
            guard let token = body["access_token"]?.stringValue else {
                throw BenchFailure("token: HTTP \(response.status.code) \(body["error"]?.stringValue ?? "")")
            }
            return token
        }
        let clock = ContinuousClock()

        // The scope check alone, and the whole admission.
        var identity = Identity(id: "app:bench-app", name: "Lægehuset", role: .gp, organization: practice)
        identity.app = Identity.AppActor(
            clientID: "bench-app", name: "Bench", kind: .backendService,
            scope: "system/Condition.rs system/Patient.rs system/MedicationRequest.rs")
        let scopes = identity.app!.scopes
        let parameters = [("patient", "1000"), ("_count", "500")]
        var checks: [Double] = []
        for _ in 0..<(iterations * 50) {
            let start = clock.now
            let allowed = scopes.allow([.system], type: "Condition", .search, parameters: parameters)
            checks.append((clock.now - start).milliseconds)
            if !allowed { throw BenchFailure("the scope check refused") }
        }
        report.add("appcloud_scope_check_p50_ms", BenchReport.percentile(checks, 0.50))
        report.add("appcloud_scope_check_p99_ms", BenchReport.percentile(checks, 0.99))
        let source = gateway.sources.first { $0.id == "hospital" }
        var admissions: [Double] = []
        for _ in 0..<(iterations * 10) {
            let start = clock.now
            let denial = await gateway.appDenial(
                identity, source: source, type: "Condition", .search, parameters: parameters, cpr: "2509479989")
            admissions.append((clock.now - start).milliseconds)
            if let denial { throw BenchFailure("refused: \(denial.danish)") }
        }
        report.add("appcloud_app_admission_p50_ms", BenchReport.percentile(admissions, 0.50))
        report.add("appcloud_app_admission_p99_ms", BenchReport.percentile(admissions, 0.99))

        // Through the gateway, a user's token and an app's, alternated.
        let userToken = try await gateway.issueDemoToken(user: "egen-laege").token
        let appToken = try await tokenRequest(try await assertion())
        let url = server.baseURL + "/sources/hospital/fhir/Condition?patient=1000"
        func get(_ token: String) async throws {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let response = try await http.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 16 << 20)
            guard response.status == .ok else { throw BenchFailure("\(url): HTTP \(response.status.code)") }
        }
        for _ in 0..<20 {
            try await get(userToken)
            try await get(appToken)
        }
        var asUser: [Double] = []
        var asApp: [Double] = []
        for _ in 0..<(iterations * 2) {
            var start = clock.now
            try await get(userToken)
            asUser.append((clock.now - start).milliseconds)
            start = clock.now
            try await get(appToken)
            asApp.append((clock.now - start).milliseconds)
        }
        for (name, values) in [("user", asUser), ("app", asApp)] {
            report.add("appcloud_gateway_\(name)_p50_ms", BenchReport.percentile(values, 0.50))
            report.add("appcloud_gateway_\(name)_p99_ms", BenchReport.percentile(values, 0.99))
        }

        // The token endpoint, one at a time, then 8 (and 12) clients at once for 3 s each.
        var tokens: [Double] = []
        for _ in 0..<(iterations * 2) {
            let signed = try await assertion()
            let start = clock.now
            _ = try await tokenRequest(signed)
            tokens.append((clock.now - start).milliseconds)
        }
        report.add("appcloud_token_p50_ms", BenchReport.percentile(tokens, 0.50))
        report.add("appcloud_token_p99_ms", BenchReport.percentile(tokens, 0.99))
        for clients in [8, 12] {
            let started = clock.now
            let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
                for _ in 0..<clients {
                    group.addTask {
                        var mine: [Double] = []
                        while clock.now - started < .seconds(3) {
                            let signed = try await assertion()
                            let start = clock.now
                            _ = try await tokenRequest(signed)
                            mine.append((clock.now - start).milliseconds)
                        }
                        return mine
                    }
                }
                var all: [Double] = []
                for try await mine in group { all += mine }
                return all
            }
            report.add(
                "appcloud_token_\(clients)_clients_per_s", Double(latencies.count) / ((clock.now - started).milliseconds / 1000))
            report.add("appcloud_token_\(clients)_clients_p99_ms", BenchReport.percentile(latencies, 0.99))
        }
        try? await http.shutdown()
        await server.stop()
        await cluster.stop()
    }
}
