import Assembly
import FHIR
import Federation
import Foundation
import Platform
import Testing

/// The demo's own SMART web apps as a user meets them in the browser (the test plays the browser: every redirect
/// followed by hand): the GP starts "Vaccinationsstatus" on Bruno from the terminal (EHR launch) and Bruno opens
/// "Mine vaccinationer" himself (standalone launch); each ends on a page with his vaccinations, read under the app's
/// name. An `iss` that is not the platform, an answer for no login the app started and hostile text in the answer are
/// refused or shown harmless.
extension GatewayTests.AppCloud {
    /// `url`'s path and query at the harness's node (the URLs the platform gives are absolute).
    static func local(_ url: String, _ h: GatewayHarness) throws -> String {
        try #require(url.hasPrefix(h.base + "/"), "\(url) is not at \(h.base)")
        return String(url.dropFirst(h.base.count))
    }

    /// The browser from the app's launch URL to the page the app shows: the redirect to the platform's login page,
    /// the login as `user`, the redirect back to the app.
    static func browse(_ launchURL: String, as user: String, _ h: GatewayHarness) async throws -> GatewayAnswer {
        let started = try await h.send(try local(launchURL, h))
        #expect(started.status == 303, "\(started.text)")
        let authorize = try #require(started.header("Location"))
        #expect(authorize.hasPrefix(h.base + "/auth/smart/authorize?") && authorize.contains("code_challenge_method=S256"))
        let page = try await h.send(try local(authorize, h))
        #expect(page.status == 200, "\(page.text)")
        let request = try #require(page.text.firstMatch(of: /name="request" value="([^"]+)"/)?.output.1)
        let answered = try await h.send(
            "/auth/smart/authorize", method: .POST,
            body: Self.form([("request", String(request)), ("user", user), ("decision", "allow")]),
            headers: [("Content-Type", "application/x-www-form-urlencoded")])
        #expect(answered.status == 303, "\(answered.text)")
        return try await h.send(try local(try #require(answered.header("Location")), h))
    }

    @Test func theDemoAppsEndInAPageWithThePatientsVaccinationsReadUnderTheirName() async throws {
        try await GatewayHarness.with { h in
            await DemoApps.start(gateway: h.gateway, base: h.base, trust: .system)
            let http = FHIRHTTPClient.makeHTTPClient()
            defer { Task { try? await http.shutdown() } }
            // The GP starts the clinicians' app from `:apps` on Bruno (the terminal's own call).
            let gp = GatewayLogin(gatewayURL: h.base, demoUser: "egen-laege", http: http)
            let launch = try await gp.launch(clientID: DemoApps.clinicianApp, cpr: GW.bruno)
            let url = try #require(launch.url)
            #expect(url.hasPrefix(h.base + "/demo-apps/\(DemoApps.clinicianApp)/launch?"), "\(url)")
            let shown = try await Self.browse(url, as: "egen-laege", h)
            #expect(shown.status == 200, "\(shown.text)")
            #expect(shown.text.contains("Vaccinationer for Bruno Test Elmer (\(GW.bruno))"), "\(shown.text)")
            #expect(shown.text.contains("<li>"), "his vaccinations: \(shown.text)")
            #expect(shown.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
            // Bruno opens the citizens' app himself (no launch from an EHR).
            let own = try await Self.browse(
                DemoWebApp.launchURL(DemoApps.citizenApp, base: h.base), as: "borger-bruno", h)
            #expect(own.text.contains("Vaccinationer for Bruno Test Elmer"), "\(own.text)")
            let logged = try await h.auditEntries()
            for app in [DemoApps.clinicianApp, DemoApps.citizenApp] {
                #expect(logged.contains { $0.appID == app && $0.patientCPR == GW.bruno && $0.outcome == "success" }, "\(app)")
            }
        }
    }

    @Test func theDemoAppsRefuseAForeignPlatformAStrangersAnswerAndHostileText() async throws {
        try await GatewayHarness.with { h in
            await DemoApps.start(gateway: h.gateway, base: h.base, trust: .system)
            let path = "/demo-apps/\(DemoApps.clinicianApp)"
            // An `iss` of another server: the app does not send the user's login there.
            let foreign = try await h.send(path + "/launch?launch=x&iss=https%3A%2F%2Fevil.example")
            #expect(foreign.status == 400)
            #expect(foreign.header("Location") == nil)
            #expect(foreign.text.contains("kender ikke platformen https://evil.example"), "\(foreign.text)")
            // An answer for a login the app never started.
            let stranger = try await h.send(path + "/callback?code=abc&state=not-ours")
            #expect(stranger.status == 400)
            #expect(stranger.text.contains("hører ikke til et login"), "\(stranger.text)")
            // The platform's `error` as the app gets it, with markup in it: shown as text, and the state used once.
            let started = try await h.send(path + "/launch")
            let location = try #require(started.header("Location"))
            let state = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "state" }?.value)
            let hostile = QueryString.encodeComponent("<script>alert(1)</script>")
            let refused = try await h.send(path + "/callback?state=\(state)&error=\(hostile)")
            #expect(refused.status == 200)
            #expect(!refused.text.contains("<script>") && refused.text.contains("&lt;script&gt;"), "\(refused.text)")
            let again = try await h.send(path + "/callback?state=\(state)&error=access_denied")
            #expect(again.status == 400, "a state counts once")
            #expect(try await h.send("/demo-apps/nope/launch").status == 404)
        }
    }
}
