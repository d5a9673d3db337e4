import AppCloud
import Crypto
import DemoSources
import FHIR
import Foundation
import JWTKit
import NIOHTTP1
import Platform
import Testing

/// A vendor's backend service on the app cloud as it meets it over HTTP: registered, approved and installed by an
/// operator, a token for a signed assertion (SMART Backend Services), reads within its scopes for the practice that
/// installed it, every read logged with the app's name; and every bad assertion, scope or app refused with the
/// OAuth error the specifications name.
extension GatewayTests {
    @Suite(.timeLimit(.minutes(3))) struct AppCloud {
        static let practice = Identity.Organization(
            system: "urn:oid:1.2.208.176.1.4", value: GW.ydernummer, name: "Lægehuset Herlev Bygade")

        /// A vendor's signing key and the JWKS it registers.
        struct Vendor {
            let key = ES384PrivateKey()
            let kid = "vendor-key-1"

            var jwks: String {
                guard let (x, y) = key.publicKey.parameters else { return "{}" }
                let jwk = JWK.ecdsa(.es384, identifier: JWKIdentifier(string: kid), x: x, y: y, curve: .p384)
                return String(decoding: (try? JSONEncoder().encode(JWKS(keys: [jwk]))) ?? Data(), as: UTF8.self)
            }

            struct Claims: JWTPayload {
                var iss: IssuerClaim
                var sub: SubjectClaim
                var aud: AudienceClaim
                var exp: ExpirationClaim
                var jti: IDClaim
                func verify(using algorithm: some JWTAlgorithm) async throws {}
            }

            func assertion(
                client: String, audience: String, expiresIn: TimeInterval = 240, jti: String = UUID().uuidString,
                issuer: String? = nil
            ) async throws -> String {
                let keys = JWTKeyCollection()
                await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
                return try await keys.sign(
                    Claims(
                        iss: .init(value: issuer ?? client), sub: .init(value: client), aud: .init(value: [audience]),
                        exp: .init(value: Date().addingTimeInterval(expiresIn)), jti: .init(value: jti)),
                    kid: JWKIdentifier(string: kid))
            }
        }

        static func register(
            _ h: GatewayHarness, _ vendor: Vendor, id: String = "medicin-afstemning",
            scopes: [String] = ["system/MedicationRequest.rs", "system/MedicationStatement.rs", "system/Patient.rs"],
            status: AppRegistration.Status = .approved, install: Bool = true
        ) async throws {
            let apps = h.gateway.apps
            try await apps.register(
                AppRegistration(
                    clientID: id, name: "Medicinafstemning", vendor: "Testleverandør ApS",
                    description: "Afstemmer praksis' medicinliste med medicinkortet", kind: .backendService,
                    jwks: vendor.jwks, scopes: scopes))
            if status != .pilot { try await apps.setStatus(id, status) }
            if install { try await apps.install(AppInstallation(clientID: id, organization: practice, role: .gp)) }
        }

        static func form(_ pairs: [(String, String)]) -> [UInt8] {
            Array(pairs.map { "\($0.0)=\(QueryString.encodeComponent($0.1))" }.joined(separator: "&").utf8)
        }

        static func tokenRequest(
            _ h: GatewayHarness, assertion: String, scope: String? = nil, extra: [(String, String)] = []
        ) async throws -> GatewayAnswer {
            var pairs = [
                ("grant_type", "client_credentials"), ("client_assertion_type", ClientAssertion.type),
                ("client_assertion", assertion),
            ]
            if let scope { pairs.append(("scope", scope)) }
            return try await h.send(
                "/auth/smart/token", method: .POST, body: form(pairs + extra),
                headers: [("Content-Type", "application/x-www-form-urlencoded")])
        }

        static func tokenURL(_ h: GatewayHarness) -> String { h.base + "/auth/smart/token" }

        static func bruno(_ source: String) throws -> String {
            try #require(try PlatformFixtures.demoData().manifest.patients.first { $0.cpr == GW.bruno }?.sources[source])
        }

        @Test func discoveryNamesTheTokenEndpointAndWhatItTakes() async throws {
            try await GatewayHarness.with { h in
                let answer = try await h.send("/.well-known/smart-configuration")
                #expect(answer.status == 200)
                #expect(answer.header("Content-Type")?.hasPrefix("application/json") == true)
                let json = try #require(answer.json)
                #expect(json["token_endpoint"]?.stringValue == Self.tokenURL(h))
                #expect(json["grant_types_supported"]?.listValue.contains(.string("client_credentials")) == true)
                #expect(json["code_challenge_methods_supported"] == .array([.string("S256")]))
                #expect(json["token_endpoint_auth_signing_alg_values_supported"] == .array([.string("RS384"), .string("ES384")]))
                #expect(json["capabilities"]?.listValue.contains(.string("client-confidential-asymmetric")) == true)
            }
        }

        @Test func aBackendServiceReadsItsPracticesPatientsWithinItsScopesAndEveryReadNamesIt() async throws {
            try await GatewayHarness.with { h in
                let vendor = Vendor()
                try await Self.register(h, vendor)
                let store = try #require(try await h.send("/AppStore").json?["apps"]?.listValue.first)
                #expect(store["name"]?.stringValue == "Medicinafstemning")
                #expect(store["installed_by"] == .array([.string("Lægehuset Herlev Bygade")]))

                let answer = try await Self.tokenRequest(
                    h, assertion: try await vendor.assertion(client: "medicin-afstemning", audience: Self.tokenURL(h)),
                    scope: "system/MedicationRequest.rs system/Patient.rs")
                #expect(answer.status == 200, "\(answer.text)")
                #expect(answer.header("Cache-Control") == "no-store")
                let json = try #require(answer.json)
                #expect(json["token_type"]?.stringValue == "Bearer")
                #expect((json["expires_in"]?.numberValue ?? 1000) <= 300)
                #expect(json["scope"]?.stringValue == "system/MedicationRequest.rs system/Patient.rs")
                let token = try #require(json["access_token"]?.stringValue)
                let bearer = [("Authorization", "Bearer \(token)")]

                // Bruno is on the practice's list: his medication card, read as the app for the practice.
                let (card, logged) = try await h.logged {
                    try await h.send("/sources/nsp/fhir/MedicationRequest?patient=\(try Self.bruno("nsp"))", headers: bearer)
                }
                #expect(card.status == 200, "\(card.text.prefix(300))")
                #expect(!card.resources("MedicationRequest").isEmpty)
                #expect(logged.count == 1)
                #expect(logged.first?.appID == "medicin-afstemning")
                #expect(logged.first?.appName == "Medicinafstemning")
                #expect(logged.first?.organization == GW.ydernummer)
                #expect(logged.first?.outcome == "success")
                // By CPR number too, which needs system/Patient.s.
                let patient = try await h.send("/sources/gp/fhir/Patient?\(GW.byCPR(GW.bruno))", headers: bearer)
                #expect(patient.status == 200)

                // Outside its scopes: 403 naming the scope, and logged as refused under the app.
                let (conditions, refusedLog) = try await h.logged {
                    try await h.send("/sources/hospital/fhir/Condition?patient=\(GW.brunoHospital)", headers: bearer)
                }
                expectRefused(conditions, reason: "scope", saying: "system/Condition.s")
                #expect(refusedLog.first?.outcome == "denied")
                #expect(refusedLog.first?.appID == "medicin-afstemning")
                // MedicationStatement is registered but was not asked for: not in this token.
                let statements = try await h.send(
                    "/sources/gp/fhir/MedicationStatement?patient=\(GW.brunoGP)", headers: bearer)
                expectRefused(statements, reason: "scope", saying: "system/MedicationStatement.s")
                // Never more than its organisation: Einer is not on the practice's list.
                let einer = try await h.send("/sources/hospital/fhir/Patient?\(GW.byCPR(GW.einer))", headers: bearer)
                #expect(einer.status == 403, "\(einer.text.prefix(300))")

                // Introspection: active, with the app and its scopes, for a caller with a token.
                let introspected = try await h.send(
                    "/auth/smart/introspect", method: .POST, body: Self.form([("token", token)]),
                    headers: bearer + [("Content-Type", "application/x-www-form-urlencoded")])
                #expect(introspected.json?["active"] == .bool(true), "\(introspected.text)")
                #expect(introspected.json?["client_id"]?.stringValue == "medicin-afstemning")

                // Withdrawn, from another process's registry on the same storage (as `sundhedscloud apps withdraw`
                // does): its token stops at once, and no new one is issued.
                try await AppRegistry(storage: h.platformStorage).setStatus("medicin-afstemning", .withdrawn)
                let after = try await h.send(
                    "/sources/nsp/fhir/MedicationRequest?patient=\(try Self.bruno("nsp"))", headers: bearer)
                expectRefused(after, status: 401, code: "login", reason: "app-withdrawn", saying: "trukket tilbage")
                let inactive = try await h.send(
                    "/auth/smart/introspect", method: .POST, body: Self.form([("token", token)]),
                    headers: [
                        ("Authorization", "Bearer \(try await h.token("egen-laege"))"),
                        ("Content-Type", "application/x-www-form-urlencoded"),
                    ])
                #expect(inactive.json == .object(["active": .bool(false)]), "\(inactive.text)")
                let again = try await Self.tokenRequest(
                    h, assertion: try await vendor.assertion(client: "medicin-afstemning", audience: Self.tokenURL(h)))
                #expect(again.status == 400)
                #expect(again.json?["error"]?.stringValue == "unauthorized_client", "\(again.text)")
                #expect(try await h.send("/AppStore").json?["apps"] == .array([]), "a withdrawn app is not in the store")
            }
        }

        /// The event engine honours an app's scopes: it subscribes only to topics about what it may read.
        @Test func anAppSubscribesOnlyToWhatItsScopesLetItRead() async throws {
            try await GatewayHarness.with { h in
                let vendor = Vendor()
                try await Self.register(h, vendor)
                try await Self.register(
                    h, vendor, id: "indlaeggelser", scopes: ["system/Encounter.rs", "system/Patient.rs"])
                func token(_ client: String) async throws -> String {
                    let answer = try await Self.tokenRequest(
                        h, assertion: try await vendor.assertion(client: client, audience: Self.tokenURL(h)))
                    return try #require(answer.json?["access_token"]?.stringValue, "\(answer.text)")
                }
                func subscribe(_ token: String) async throws -> GatewayAnswer {
                    try await h.send(
                        "/Subscription", method: .POST,
                        body: GatewayTests.Subscriptions.subscription("hospitalsnotifikation", ["patient=\(GW.bruno)"]),
                        headers: [("Content-Type", "application/fhir+json"), ("Authorization", "Bearer \(token)")])
                }
                let medication = try await subscribe(try await token("medicin-afstemning"))
                expectRefused(medication, reason: "scope", saying: "system/Encounter.r")
                let encounters = try await subscribe(try await token("indlaeggelser"))
                #expect(encounters.status == 201, "\(encounters.text)")

                // At delivery: an admission of Bruno (on the practice's list) is told to the app that may read
                // encounters, never to one that may not, nor once the app is withdrawn.
                let admission = EventRecord(
                    sourceKey: "k1", sourceID: "hospital", topic: "indlaeggelse", code: .admission,
                    focus: "\(h.sourceURLs["hospital"] ?? "-")/Encounter/h-enc-1", patientCPR: GW.bruno,
                    organization: GW.akutHerlev, organizationName: "Akutmodtagelsen", municipality: nil,
                    occurred: Date(), accepted: Date())
                func audience(_ client: String, _ scope: String) -> Identity {
                    var identity = Identity(id: "app:\(client)", name: "Lægehuset", role: .gp, organization: Self.practice)
                    identity.app = Identity.AppActor(clientID: client, name: client, kind: .backendService, scope: scope)
                    return identity
                }
                let reader = audience("indlaeggelser", "system/Encounter.rs system/Patient.rs")
                #expect(await h.gateway.mayBeTold(reader, about: admission))
                #expect(
                    !(await h.gateway.mayBeTold(audience("medicin-afstemning", "system/MedicationRequest.rs"), about: admission)))
                try await AppRegistry(storage: h.platformStorage).setStatus("indlaeggelser", .withdrawn)
                #expect(!(await h.gateway.mayBeTold(reader, about: admission)), "withdrawn")
            }
        }

        /// Each bad token request, with the OAuth error a client library acts on.
        @Test func badAssertionsScopesAndGrantsAreRefusedWithTheirOAuthErrors() async throws {
            try await GatewayHarness.with { h in
                let vendor = Vendor()
                try await Self.register(h, vendor)
                let audience = Self.tokenURL(h)
                func expectError(_ answer: GatewayAnswer, _ error: String, _ comment: Comment) {
                    #expect(answer.status == 400, comment)
                    #expect(answer.json?["error"]?.stringValue == error, "\(comment): \(answer.text)")
                    let description = answer.json?["error_description"]?.stringValue ?? ""
                    #expect(!description.isEmpty && description.unicodeScalars.allSatisfy { $0.isASCII }, comment)
                    #expect(answer.json?["access_token"] == nil, comment)
                }
                // The same assertion twice: the second is a replay.
                let once = try await vendor.assertion(client: "medicin-afstemning", audience: audience)
                #expect(try await Self.tokenRequest(h, assertion: once).status == 200)
                expectError(try await Self.tokenRequest(h, assertion: once), "invalid_client", "replayed jti")
                expectError(
                    try await Self.tokenRequest(
                        h, assertion: try await vendor.assertion(client: "medicin-afstemning", audience: audience, expiresIn: -60)
                    ),
                    "invalid_client", "expired")
                expectError(
                    try await Self.tokenRequest(
                        h,
                        assertion: try await vendor.assertion(client: "medicin-afstemning", audience: audience, expiresIn: 3600)),
                    "invalid_client", "exp an hour ahead")
                expectError(
                    try await Self.tokenRequest(
                        h,
                        assertion: try await vendor.assertion(client: "medicin-afstemning", audience: "https://elsewhere/token")),
                    "invalid_client", "another audience")
                expectError(
                    try await Self.tokenRequest(
                        h, assertion: try await Vendor().assertion(client: "medicin-afstemning", audience: audience)),
                    "invalid_client", "signed with another key under the same kid")
                expectError(
                    try await Self.tokenRequest(
                        h,
                        assertion: try await vendor.assertion(
                            client: "medicin-afstemning", audience: audience, issuer: "someone-else")),
                    "invalid_client", "iss is not sub")
                // alg none, and HS256 with the public key as the secret.
                let claims = Data(
                    #"{"iss":"medicin-afstemning","sub":"medicin-afstemning","aud":"\#(audience)","exp":\#(Int(Date().timeIntervalSince1970) + 200),"jti":"x1"}"#
                        .utf8
                ).base64URL
                let none = Data(#"{"alg":"none","typ":"JWT","kid":"vendor-key-1"}"#.utf8).base64URL + "." + claims + "."
                expectError(try await Self.tokenRequest(h, assertion: none), "invalid_client", "alg none")
                let hmac = JWTKeyCollection()
                await hmac.add(hmac: HMACKey(from: vendor.jwks), digestAlgorithm: .sha256, kid: "vendor-key-1")
                let hs256 = try await hmac.sign(
                    Vendor.Claims(
                        iss: .init(value: "medicin-afstemning"), sub: .init(value: "medicin-afstemning"),
                        aud: .init(value: [audience]), exp: .init(value: Date().addingTimeInterval(200)),
                        jti: .init(value: "x2")), kid: "vendor-key-1")
                expectError(try await Self.tokenRequest(h, assertion: hs256), "invalid_client", "HS256")
                expectError(try await Self.tokenRequest(h, assertion: "not.a.jwt"), "invalid_client", "garbage")
                // Scopes above the registration, or not a backend's.
                expectError(
                    try await Self.tokenRequest(
                        h, assertion: try await vendor.assertion(client: "medicin-afstemning", audience: audience),
                        scope: "system/Observation.rs"),
                    "invalid_scope", "a scope it is not registered for")
                expectError(
                    try await Self.tokenRequest(
                        h, assertion: try await vendor.assertion(client: "medicin-afstemning", audience: audience),
                        scope: "system/MedicationRequest.cruds"),
                    "invalid_scope", "writing")
                expectError(
                    try await Self.tokenRequest(
                        h, assertion: try await vendor.assertion(client: "medicin-afstemning", audience: audience),
                        scope: "patient/*.rs"),
                    "invalid_scope", "patient scopes for a backend")
                // A grant the endpoint does not do, and a body that is not a form.
                let password = try await h.send(
                    "/auth/smart/token", method: .POST, body: Self.form([("grant_type", "password")]),
                    headers: [("Content-Type", "application/x-www-form-urlencoded")])
                expectError(password, "unsupported_grant_type", "password grant")
                let json = try await h.send(
                    "/auth/smart/token", method: .POST, body: Array(#"{"grant_type":"client_credentials"}"#.utf8),
                    headers: [("Content-Type", "application/json")])
                expectError(json, "invalid_request", "JSON body")
                // An app nobody installed.
                try await Self.register(h, vendor, id: "uinstalleret", install: false)
                expectError(
                    try await Self.tokenRequest(
                        h, assertion: try await vendor.assertion(client: "uinstalleret", audience: audience)),
                    "unauthorized_client", "not installed")
                expectError(
                    try await Self.tokenRequest(h, assertion: try await vendor.assertion(client: "ukendt", audience: audience)),
                    "invalid_client", "unknown client")
            }
        }

        /// The EHR launch: the GP launches an installed app on the open patient; the app's token reads that patient
        /// only (its `patient/` scopes), never more than the GP may; a launch is for the user who made it, once.
        @Test func anEHRLaunchHoldsTheAppToTheOpenPatient() async throws {
            try await GatewayHarness.with { h in
                let apps = h.gateway.apps
                let redirect = "http://127.0.0.1:9/callback"
                try await apps.register(
                    AppRegistration(
                        clientID: "vacc-praksis", name: "Vaccinationsstatus", vendor: "Testleverandør ApS", kind: .webApp,
                        redirectURIs: [redirect], launchURL: "https://app.example/launch",
                        scopes: ["launch", "patient/Immunization.rs", "patient/Patient.rs"]))
                try await apps.setStatus("vacc-praksis", .approved)
                try await apps.install(AppInstallation(clientID: "vacc-praksis", organization: Self.practice))
                let gp = [("Authorization", "Bearer \(try await h.token("egen-laege"))")]
                let formType = [("Content-Type", "application/x-www-form-urlencoded")]
                let launched = try await h.send(
                    "/auth/smart/launch", method: .POST, body: Self.form([("client_id", "vacc-praksis"), ("patient", GW.bruno)]),
                    headers: gp + formType)
                #expect(launched.status == 200, "\(launched.text)")
                let launch = try #require(launched.json?["launch"]?.stringValue)
                #expect(launched.json?["launch_url"]?.stringValue?.hasPrefix("https://app.example/launch?iss=") == true)

                // The app's authorization request, as its library sends it.
                let verifier = String(repeating: "v", count: 50)
                let challenge = Data(SHA256.hash(data: Data(verifier.utf8))).base64URL
                func authorize(_ launch: String) async throws -> GatewayAnswer {
                    try await h.send(
                        "/auth/smart/authorize?"
                            + String(
                                decoding: Self.form([
                                    ("response_type", "code"), ("client_id", "vacc-praksis"), ("redirect_uri", redirect),
                                    ("scope", "launch patient/Immunization.rs"), ("state", "s1"), ("aud", h.base),
                                    ("code_challenge", challenge), ("code_challenge_method", "S256"), ("launch", launch),
                                ]), as: UTF8.self))
                }
                let page = try await authorize(launch)
                #expect(page.status == 200, "\(page.text)")
                #expect(page.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
                #expect(page.text.contains("2509479989"), "the page names the launch's patient")
                let request = try #require(page.text.firstMatch(of: /name="request" value="([^"]+)"/)?.1)
                func answer(_ request: Substring, as user: String) async throws -> GatewayAnswer {
                    try await h.send(
                        "/auth/smart/authorize", method: .POST,
                        body: Self.form([("request", String(request)), ("user", user), ("decision", "allow")]), headers: formType)
                }
                let redirected = try await answer(request, as: "egen-laege")
                #expect(redirected.status == 303)
                let location = try #require(redirected.header("Location"))
                #expect(location.hasPrefix(redirect) && location.contains("state=s1"), "\(location)")
                let code = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value)
                let token = try await h.send(
                    "/auth/smart/token", method: .POST,
                    body: Self.form([
                        ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirect),
                        ("client_id", "vacc-praksis"), ("code_verifier", verifier),
                    ]), headers: formType)
                #expect(token.status == 200, "\(token.text)")
                #expect(token.json?["patient"]?.stringValue == GW.bruno)
                let bearer = [("Authorization", "Bearer \(try #require(token.json?["access_token"]?.stringValue))")]
                // Bruno's vaccinations: yes, logged as the GP via the app.
                let (own, logged) = try await h.logged {
                    try await h.send("/sources/nsp/fhir/Immunization?patient=\(try Self.bruno("nsp"))", headers: bearer)
                }
                #expect(own.status == 200, "\(own.text.prefix(300))")
                #expect(logged.first?.userID == "egen-laege" && logged.first?.appID == "vacc-praksis", "\(logged)")
                // Nancy is on the GP's list too, but not the launch's patient: the app may not.
                let other = try await h.send("/sources/hospital/fhir/Patient?\(GW.byCPR(GW.nancy))", headers: bearer)
                expectRefused(other, reason: "scope", saying: "patient/Patient.s")
                // The AppStore lists it, with who installed it.
                #expect(try await h.send("/AppStore").text.contains("Vaccinationsstatus"))

                // A launch counts once, and only for its own user.
                expectRedirectError(try await authorize(launch), "invalid_request")
                let second = try await h.send(
                    "/auth/smart/launch", method: .POST, body: Self.form([("client_id", "vacc-praksis"), ("patient", GW.bruno)]),
                    headers: gp + formType)
                let secondPage = try await authorize(try #require(second.json?["launch"]?.stringValue))
                let secondRequest = try #require(secondPage.text.firstMatch(of: /name="request" value="([^"]+)"/)?.1)
                let stolen = try await answer(secondRequest, as: "akutlaege")
                #expect(stolen.header("Location")?.contains("error=access_denied") == true, "\(stolen.status)")
                // An app the ED doctor's department did not install cannot be launched there.
                let elsewhere = try await h.send(
                    "/auth/smart/launch", method: .POST, body: Self.form([("client_id", "vacc-praksis"), ("patient", GW.bruno)]),
                    headers: [("Authorization", "Bearer \(try await h.token("akutlaege"))")] + formType)
                #expect(elsewhere.status == 403, "\(elsewhere.text)")
            }
        }

        func expectRedirectError(_ answer: GatewayAnswer, _ error: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(answer.status == 303, sourceLocation: sourceLocation)
            let location = answer.header("Location") ?? "-"
            #expect(location.contains("error=\(error)"), "\(location)", sourceLocation: sourceLocation)
        }

        /// A pilot reaches sandboxes (synthetic sources) only; an app outside its installation is refused; a user's
        /// own client is not an app at all.
        @Test func aPilotReadsSandboxesOnlyAndAnAppNeedsItsInstallation() async throws {
            try await GatewayHarness.with { h in
                let vendor = Vendor()
                try await Self.register(h, vendor, id: "pilot-app", status: .pilot)
                var identity = Identity(
                    id: "app:pilot-app", name: "Pilot", role: .gp, organization: Self.practice)
                identity.app = Identity.AppActor(
                    clientID: "pilot-app", name: "Pilot", kind: .backendService, scope: "system/MedicationRequest.rs")
                let sandbox = GatewaySource(id: "s", name: "Sandkassen", sector: "gp", fhir: "http://127.0.0.1:1", sandbox: true)
                let production = GatewaySource(id: "p", name: "Produktion", sector: "gp", fhir: "http://127.0.0.1:1")
                let gateway = h.gateway
                #expect(
                    await gateway.appDenial(
                        identity, source: sandbox, type: "MedicationRequest", .search, parameters: [], cpr: GW.bruno)
                        == nil)
                let refused = await gateway.appDenial(
                    identity, source: production, type: "MedicationRequest", .search, parameters: [], cpr: GW.bruno)
                #expect(refused?.reason == "app-pilot-production")
                #expect(refused?.danish.contains("Produktion") == true)
                // Past its pilot date: its token counts no more.
                try await gateway.apps.setStatus("pilot-app", .pilot, pilotExpires: Date().addingTimeInterval(-1))
                #expect(
                    await gateway.appDenial(
                        identity, source: sandbox, type: "MedicationRequest", .search, parameters: [], cpr: GW.bruno)?
                        .status == 401)
                // Another organisation's users: not installed there.
                try await gateway.apps.setStatus("pilot-app", .approved)
                identity.organization = Identity.Organization(
                    system: "urn:oid:1.2.208.176.1.4", value: "999999", name: "Anden praksis")
                #expect(
                    await gateway.appDenial(
                        identity, source: sandbox, type: "MedicationRequest", .search, parameters: [], cpr: GW.bruno)?
                        .reason == "app-not-installed")
            }
        }
    }
}

extension Data {
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
