import FHIR
import Foundation

/// One app of the platform's AppStore (`GET /AppStore`), as the TUI shows it: its text cleaned for the terminal.
public struct AppListing: Sendable, Equatable {
    public var clientID: String
    public var name: String
    public var vendor: String
    public var description: String
    /// web-app | backend-service | platform-service
    public var kind: String
    /// pilot | approved
    public var status: String
    public var scopes: [String]
    public var installedBy: [String]
    public var launchURL: String?

    public init(
        clientID: String, name: String, vendor: String, description: String = "", kind: String, status: String,
        scopes: [String], installedBy: [String] = [], launchURL: String? = nil
    ) {
        self.clientID = clientID
        self.name = name
        self.vendor = vendor
        self.description = description
        self.kind = kind
        self.status = status
        self.scopes = scopes
        self.installedBy = installedBy
        self.launchURL = launchURL
    }

    /// The catalogue's entries; anything that is not an app (no client id or name) is left out.
    public static func catalogue(_ json: JSONValue) -> [AppListing] {
        let line = { (text: String?) in text.map { TextSanitizer.cleanLine($0, maxLength: 200) } }
        return (json["apps"]?.listValue ?? []).prefix(500).compactMap { app in
            guard let id = line(app["client_id"]?.stringValue), let name = line(app["name"]?.stringValue) else {
                return nil
            }
            return AppListing(
                clientID: id, name: name, vendor: line(app["vendor"]?.stringValue) ?? "-",
                description: line(app["description"]?.stringValue) ?? "", kind: line(app["kind"]?.stringValue) ?? "-",
                status: line(app["status"]?.stringValue) ?? "-",
                scopes: (app["scopes"]?.listValue ?? []).prefix(50).compactMap { line($0.stringValue) },
                installedBy: (app["installed_by"]?.listValue ?? []).prefix(50).compactMap { line($0.stringValue) },
                launchURL: line(app["launch_url"]?.stringValue))
        }
    }
}

/// An EHR launch the gateway made: the app started for a patient, with the URL that opens it there (nil when the app
/// registered no launch URL: its launch id is then given to it by hand).
public struct AppLaunch: Sendable, Equatable {
    public var clientID: String
    public var cpr: String
    public var launchID: String
    public var url: String?

    public init(clientID: String, cpr: String, launchID: String, url: String?) {
        self.clientID = clientID
        self.cpr = cpr
        self.launchID = launchID
        self.url = url
    }
}

extension GatewayLogin {
    /// The platform's app catalogue.
    public func appStore() async throws(FetchFailure) -> [AppListing] {
        AppListing.catalogue(try await get("/AppStore"))
    }

    /// Starts the installed app `clientID` on the patient (an EHR launch, `POST /auth/smart/launch`) as the user.
    public func launch(clientID: String, cpr: String) async throws(FetchFailure) -> AppLaunch {
        let json = try await get(
            "/auth/smart/launch", headers: headers(cpr: cpr), form: [("client_id", clientID), ("patient", cpr)])
        // The URL is the vendor's registration with the launch added: shown on a terminal, so clean, and one line.
        guard let id = json["launch"]?.stringValue.map({ TextSanitizer.cleanLine($0, maxLength: 200) }), !id.isEmpty else {
            throw FetchFailure(.malformed, "failure.launch-malformed")
        }
        let url = json["launch_url"]?.stringValue.map { TextSanitizer.cleanLine($0, maxLength: 2000) }
        return AppLaunch(clientID: clientID, cpr: cpr, launchID: id, url: url)
    }
}
