import AsyncHTTPClient
import FHIR
import Foundation
import JWTKit
import Logging
import NIOCore
import Platform
import Transport

/// The demo's app cloud: three apps of a (fictitious) vendor, approved and installed, so that `/AppStore` and the
/// TUI's `:apps` have something to show, and each at work. A GP practice's backend service,
/// "Vaccinationspåmindelse", reads the vaccinations of a patient on the practice's list through the gateway with a
/// token for its signed assertion, exactly as a vendor's service would; the access is in Bruno's log "via" it. A
/// citizens' app, "Mine vaccinationer", is installed for every citizen (SMART standalone launch), and a clinicians'
/// app, "Vaccinationsstatus", for the emergency department and the practice (EHR launch from `:apps`); both are
/// served by the node itself (`DemoWebApp`), so a launch ends in a page in the browser.
///
/// The backend service's key is made for this run only, and its registration updated with it; the web apps'
/// addresses follow the node's (a demo node's port may change from run to run).
public enum DemoApps {
    public static let reminder = "vaccinationspaamindelse"
    public static let citizenApp = "mine-vaccinationer"
    public static let clinicianApp = "vaccinationsstatus"
    static let practice = Identity.Organization(
        system: "urn:oid:1.2.208.176.1.4", value: "046781", name: "Lægehuset Herlev Bygade")
    static let emergencyDepartment = Identity.Organization(
        system: DanishSystems.sor, value: "953741000016013", name: "Akutmodtagelsen, Herlev")

    /// Registers and installs the demo apps on `gateway`'s storage, then lets the backend service read `patient`'s
    /// vaccinations through the node at `base` once. Failures are logged, never thrown: the demo runs without them.
    public static func start(
        gateway: Gateway, base: String, trust: ClientTLS, patient: String = "2509479989",
        logger: Logger = Logger(label: "sundhedscloud.demo-apps", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async {
        let key = ES384PrivateKey()
        let kid = "demo-\(UUID().uuidString.prefix(8))"
        do {
            guard let (x, y) = key.publicKey.parameters else { return }
            let jwk = JWK.ecdsa(.es384, identifier: JWKIdentifier(string: kid), x: x, y: y, curve: .p384)
            let jwks = String(decoding: try JSONEncoder().encode(JWKS(keys: [jwk])), as: UTF8.self)
            var backend = try AppRegistration(
                clientID: reminder, name: "Vaccinationspåmindelse", vendor: "Demoleverandøren ApS",
                description: "Minder praksis om vaccinationer, der snart skal gives igen", kind: .backendService,
                jwks: jwks, scopes: ["system/Immunization.rs", "system/Patient.rs"], status: .approved
            ).validated()
            let known = try await gateway.storage.apps()
            if let kept = known.first(where: { $0.clientID == reminder }) { backend.registered = kept.registered }
            try await gateway.storage.saveApp(backend)
            for app in DemoWebApp.apps {
                var web = try AppRegistration(
                    clientID: app.clientID, name: app.name, vendor: "Demoleverandøren ApS",
                    description: app.clientID == citizenApp
                        ? "Borgerens egne vaccinationer, fra vaccinationsregistret"
                        : "Patientens vaccinationer, fra vaccinationsregistret, startet fra journalen",
                    kind: .webApp, redirectURIs: [DemoWebApp.redirectURI(app.clientID, base: base)],
                    launchURL: DemoWebApp.launchURL(app.clientID, base: base),
                    scopes: app.scope.split(separator: " ").map(String.init), status: .approved
                ).validated()
                // An operator's decision (withdrawn, a pilot) stays; only the addresses follow the node.
                if let kept = known.first(where: { $0.clientID == app.clientID }) {
                    web.registered = kept.registered
                    web.status = kept.status
                    web.pilotExpires = kept.pilotExpires
                }
                try await gateway.storage.saveApp(web)
            }
            try await gateway.apps.install(AppInstallation(clientID: reminder, organization: practice, role: .gp))
            try await gateway.apps.install(AppInstallation(clientID: citizenApp, organization: AppInstallation.citizens))
            for organization in [emergencyDepartment, practice] {
                try await gateway.apps.install(AppInstallation(clientID: clinicianApp, organization: organization))
            }
        } catch {
            logger.warning("Demo-apps kunne ikke registreres: \(error)")
            return
        }
        let http = HTTPClient.node(trust: trust)
        defer { Task { try? await http.shutdown() } }
        do {
            try await readVaccinations(base: base, key: key, kid: kid, patient: patient, http: http)
        } catch {
            logger.warning("Demo-appen \(reminder) kunne ikke læse: \(error)")
        }
    }

    /// The backend service at work: a token for a signed assertion, the patient found by CPR number at the national
    /// services, their vaccinations read.
    static func readVaccinations(
        base: String, key: ES384PrivateKey, kid: String, patient: String, http: HTTPClient
    )
        async throws
    {
        let tokenURL = "\(base)/auth/smart/token"
        let assertion = try await ClientAssertion.sign(client: reminder, audience: tokenURL, key: key, kid: kid)
        var request = HTTPClientRequest(url: tokenURL)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        let form = [
            ("grant_type", "client_credentials"), ("client_assertion_type", ClientAssertion.type),
            ("client_assertion", assertion), ("scope", "system/Immunization.rs system/Patient.rs"),
        ].map { "\($0.0)=\(QueryString.encodeComponent($0.1))" }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: form))
        let answer = try await http.execute(request, timeout: .seconds(10))
        let body = try JSONValue.parse(Data(try await answer.body.collect(upTo: 1 << 20).readableBytesView))
        guard let token = body["access_token"]?.stringValue else {
            throw DemoAppFailure(description: "token: \(body["error"]?.stringValue ?? "HTTP \(answer.status.code)")")
        }
        func get(_ path: String) async throws -> JSONValue {
            var request = HTTPClientRequest(url: base + path)
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let response = try await http.execute(request, timeout: .seconds(10))
            return try JSONValue.parse(Data(try await response.body.collect(upTo: 16 << 20).readableBytesView))
        }
        let identifier = QueryString.encodeComponent("\(DanishSystems.cpr)|\(patient)")
        let found = try await get("/sources/nsp/fhir/Patient?identifier=\(identifier)")
        guard let id = found["entry"]?.listValue.first?["resource"]?["id"]?.stringValue else {
            throw DemoAppFailure(description: "no patient \(patient) at nsp")
        }
        _ = try await get("/sources/nsp/fhir/Immunization?patient=\(QueryString.encodeComponent(id))")
    }

    struct DemoAppFailure: Error, CustomStringConvertible {
        let description: String
    }
}
