import FHIR
import Federation
import Foundation
import Platform
import Testing
import Words

/// The app cloud driven by a client library we did not write: Authlib (Python), as a vendor's backend service would
/// use it, from the environment `scripts/python-env` makes (`make test` makes it first). ES384 and RS384 keys, a
/// token for each, a read through the gateway, and the mistakes a library lets an app make, refused with their
/// OAuth errors.
extension GatewayTests.AppCloud {
    /// Runs `executable` to its end (at most `timeout`), returning what it printed on stdout and its exit status.
    static func run(
        _ executable: String, _ arguments: [String], timeout: Duration = .seconds(120)
    ) async throws
        -> (output: String, status: Int32)
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = PlatformFixtures.repositoryRoot
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("client-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Files, not pipes: nothing blocks however much it prints.
        let out = folder.appendingPathComponent("out")
        let err = folder.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning {
            process.terminate()
            throw TestFailure("\(executable) \(arguments.prefix(2)) did not finish in \(timeout)")
        }
        let output = String(decoding: try Data(contentsOf: out), as: UTF8.self)
        let errors = String(decoding: try Data(contentsOf: err), as: UTF8.self)
        if process.terminationStatus != 0 {
            throw TestFailure("\(executable) \(arguments.prefix(2)) exited \(process.terminationStatus): \(errors.suffix(2000))")
        }
        return (output, process.terminationStatus)
    }

    static func python() async throws -> String {
        let made = try await run(PlatformFixtures.repositoryRoot.appendingPathComponent("scripts/python-env").path, [])
        return made.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(arguments: ["ES384", "RS384"])
    func authlibGetsATokenWithItsSignedAssertionAndReadsThroughTheGateway(alg: String) async throws {
        let python = try await Self.python()
        let script = PlatformFixtures.repositoryRoot.appendingPathComponent("Tests/Clients/smart_backend.py").path
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vendor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        _ = try await Self.run(python, [script, "keygen", folder.path, alg])
        let jwks = try String(contentsOf: folder.appendingPathComponent("jwks.json"), encoding: .utf8)

        try await GatewayHarness.with { h in
            let apps = h.gateway.apps
            try await apps.register(
                AppRegistration(
                    clientID: "afstemning-\(alg.lowercased())", name: "Medicinafstemning", vendor: "Testleverandør ApS",
                    kind: .backendService, jwks: jwks, scopes: ["system/MedicationRequest.rs", "system/Patient.rs"]))
            try await apps.setStatus("afstemning-\(alg.lowercased())", .approved)
            try await apps.install(
                AppInstallation(clientID: "afstemning-\(alg.lowercased())", organization: Self.practice, role: .gp))
            let fhir = "\(h.base)/sources/nsp/fhir/MedicationRequest?patient=\(try Self.bruno("nsp"))"
            let (output, _) = try await Self.run(
                python,
                [
                    script, "run", folder.path, alg, "afstemning-\(alg.lowercased())", Self.tokenURL(h), fhir,
                    "system/MedicationRequest.rs system/Patient.rs",
                ])
            var steps: [String: JSONValue] = [:]
            for line in output.split(separator: "\n") {
                if let json = try? JSONValue.parse(Data(line.utf8)), let step = json["step"]?.stringValue { steps[step] = json }
            }
            #expect(steps["token"]?["ok"] == .bool(true), "\(output)")
            #expect(steps["token"]?["token"]?["token_type"]?.stringValue == "Bearer")
            #expect(steps["token"]?["token"]?["scope"]?.stringValue == "system/MedicationRequest.rs system/Patient.rs")
            #expect(steps["token-again"]?["ok"] == .bool(true), "a second assertion (a new jti): \(output)")
            #expect(steps["read"]?["status"] == .number(200), "\(output)")
            #expect(steps["read"]?["resourceType"]?.stringValue == "Bundle")
            #expect((steps["read"]?["entries"]?.numberValue ?? 0) > 0)
            for (step, error) in [
                ("authlib-defaults", "invalid_client"), ("scope-beyond", "invalid_scope"), ("other-key", "invalid_client"),
                ("other-audience", "invalid_client"),
            ] {
                #expect(steps[step]?["ok"] == .bool(false), "\(step): \(output)")
                #expect(steps[step]?["error"]?.stringValue == error, "\(step): \(output)")
            }
            // The read is in the log under the app.
            let logged = try await h.auditEntries()
            #expect(logged.contains { $0.appID == "afstemning-\(alg.lowercased())" && $0.outcome == "success" })
        }
    }

    /// A citizen's vaccination app, registered for every citizen: Authlib's authorization code flow with PKCE
    /// (standalone launch), the login page played as a browser, a token for Bruno himself, his vaccinations read;
    /// then each thing the flow refuses, as the library meets it.
    @Test func authlibRunsACitizensStandaloneLaunchWithPKCE() async throws {
        let python = try await Self.python()
        let script = PlatformFixtures.repositoryRoot.appendingPathComponent("Tests/Clients/smart_app.py").path
        try await GatewayHarness.with { h in
            let apps = h.gateway.apps
            let redirect = "http://127.0.0.1:9/callback"
            try await apps.register(
                AppRegistration(
                    clientID: "vaccinationer", name: "Mine vaccinationer", vendor: "Testleverandør ApS",
                    description: "Borgerens egne vaccinationer", kind: .webApp, redirectURIs: [redirect],
                    scopes: ["launch/patient", "patient/Immunization.rs", "patient/Patient.rs"]))
            try await apps.setStatus("vaccinationer", .approved)
            try await apps.install(AppInstallation(clientID: "vaccinationer", organization: AppInstallation.citizens))
            let fhir = "\(h.base)/sources/nsp/fhir/Immunization?patient=\(try Self.bruno("nsp"))"
            let (output, _) = try await Self.run(python, [script, h.base, "vaccinationer", redirect, "borger-bruno", fhir])
            var steps: [String: JSONValue] = [:]
            for line in output.split(separator: "\n") {
                if let json = try? JSONValue.parse(Data(line.utf8)), let step = json["step"]?.stringValue { steps[step] = json }
            }
            #expect(steps["discovery"]?["pkce"] == .array([.string("S256")]), "\(output)")
            #expect(steps["page"]?["status"] == .number(200), "\(output)")
            #expect(steps["page"]?["asks"] == .bool(true))
            #expect(steps["redirect"]?["status"] == .number(303), "\(output)")
            #expect(steps["redirect"]?["to_app"] == .bool(true))
            #expect(steps["token"]?["ok"] == .bool(true), "\(output)")
            #expect(steps["token"]?["patient"]?.stringValue == GW.bruno)
            #expect(steps["token"]?["banner"] == .bool(true))
            #expect(steps["token"]?["scope"]?.stringValue?.contains("openid") == false, "not granted: \(output)")
            #expect(steps["read"]?["status"] == .number(200), "\(output)")
            #expect((steps["read"]?["entries"]?.numberValue ?? 0) > 0)
            #expect(steps["code-again"]?["error"]?.stringValue == "invalid_grant", "\(output)")
            #expect(steps["wrong-verifier"]?["error"]?.stringValue == "invalid_grant", "\(output)")
            for step in ["plain", "no-pkce"] {
                #expect(steps[step]?["status"] == .number(303), "\(step): \(output)")
                let location = steps[step]?["location"]?.stringValue ?? ""
                #expect(location.hasPrefix(redirect) && location.contains("error=invalid_request"), "\(step): \(location)")
            }
            #expect(steps["evil-redirect"]?["status"] == .number(400), "\(output)")
            #expect(steps["evil-redirect"]?["location"]?.stringValue == "", "never redirected to an unregistered URI")
            #expect(steps["denied"]?["location"]?.stringValue?.contains("error=access_denied") == true, "\(output)")
            // His log says which app read his vaccinations.
            let logged = try await h.auditEntries()
            #expect(
                logged.contains { $0.appName == "Mine vaccinationer" && $0.patientCPR == GW.bruno && $0.outcome == "success" })
        }
    }

    /// The EHR launch as a GP makes it from Overblik's `:apps` (the terminal's own `GatewayLogin.launch`), and the app
    /// opened at the URL it shows, written with Authlib: discovery from `iss`, the authorization request with the
    /// launch, the GP's login, a token for the launch's patient, his vaccinations read. The launch counts once; a
    /// user whose organisation did not install the app cannot launch it.
    @Test func anAppStartedFromTheTerminalRunsItsEHRLaunchWithAuthlib() async throws {
        let python = try await Self.python()
        let script = PlatformFixtures.repositoryRoot.appendingPathComponent("Tests/Clients/smart_ehr_app.py").path
        try await GatewayHarness.with { h in
            let apps = h.gateway.apps
            let redirect = "http://127.0.0.1:9/callback"
            try await apps.register(
                AppRegistration(
                    clientID: "vacc-status", name: "Vaccinationsstatus", vendor: "Testleverandør ApS", kind: .webApp,
                    redirectURIs: [redirect], launchURL: "http://127.0.0.1:9/launch",
                    scopes: ["launch", "patient/Immunization.rs", "patient/Patient.rs"]))
            try await apps.setStatus("vacc-status", .approved)
            try await apps.install(AppInstallation(clientID: "vacc-status", organization: Self.practice))
            let http = FHIRHTTPClient.makeHTTPClient()
            defer { Task { try? await http.shutdown() } }
            let gp = GatewayLogin(gatewayURL: h.base, demoUser: "egen-laege", http: http)
            let launch = try await gp.launch(clientID: "vacc-status", cpr: GW.bruno)
            let url = try #require(launch.url)
            #expect(url.hasPrefix("http://127.0.0.1:9/launch?") && url.contains("launch=\(launch.launchID)"), "\(url)")

            let fhir = "\(h.base)/sources/nsp/fhir/Immunization?patient=\(try Self.bruno("nsp"))"
            let (output, _) = try await Self.run(python, [script, url, "vacc-status", redirect, "egen-laege", fhir])
            var steps: [String: JSONValue] = [:]
            for line in output.split(separator: "\n") {
                if let json = try? JSONValue.parse(Data(line.utf8)), let step = json["step"]?.stringValue { steps[step] = json }
            }
            #expect(steps["discovery"]?["capabilities"]?.listValue.contains(.string("launch-ehr")) == true, "\(output)")
            #expect(steps["page"]?["status"] == .number(200), "\(output)")
            #expect(steps["token"]?["ok"] == .bool(true), "\(output)")
            #expect(steps["token"]?["patient"]?.stringValue == GW.bruno, "the launch's patient: \(output)")
            #expect(steps["read"]?["status"] == .number(200), "\(output)")
            #expect((steps["read"]?["entries"]?.numberValue ?? 0) > 0, "\(output)")
            let again = steps["launch-again"]?["location"]?.stringValue ?? ""
            #expect(again.hasPrefix(redirect) && again.contains("error=invalid_request"), "once: \(output)")

            // The ED doctor's department did not install it: refused, in words the terminal shows.
            let ed = GatewayLogin(gatewayURL: h.base, demoUser: "akutlaege", http: http)
            do {
                _ = try await ed.launch(clientID: "vacc-status", cpr: GW.bruno)
                Issue.record("launched by an organisation that did not install the app")
            } catch let error as FetchFailure {
                #expect(error.httpStatus == 403)
                #expect(Catalog.danish.text(error.reason).contains("ikke installeret"), "\(error.reason)")
            }
            // The log names the app and the GP.
            let logged = try await h.auditEntries()
            #expect(logged.contains { $0.appID == "vacc-status" && $0.patientCPR == GW.bruno && $0.outcome == "success" })
        }
    }
}
