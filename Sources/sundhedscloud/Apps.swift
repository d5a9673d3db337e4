import ArgumentParser
import FHIR
import Foundation
import Platform
import Words

/// `sundhedscloud apps register|approve|withdraw|pilot|install|uninstall|list`: the operator's side of the app cloud,
/// on the node's storage (the one `serve` uses: `--storage`, `$SUNDHEDSCLOUD_STORAGE` or the default SQLite file).
/// A running node sees a change within a second.
struct Apps: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: CLI.text("platform-cli.abstract.apps"),
        subcommands: [Register.self, Approve.self, Withdraw.self, Pilot.self, Install.self, Uninstall.self, List.self])

    struct StorageOption: ParsableArguments {
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.storage")))
        var storage: String?

        /// The node's app registry on its storage, migrated.
        func registry() async throws -> AppRegistry {
            let location = Audit.storageLocation(storage)
            let store: any PlatformStorage
            do {
                if location.hasPrefix("sqlite:") {
                    try FileManager.default.createDirectory(
                        at: URL(fileURLWithPath: String(location.dropFirst(7))).deletingLastPathComponent(),
                        withIntermediateDirectories: true)
                }
                store = try PlatformStorageLocation.open(location)
                try await store.migrate()
            } catch {
                throw CLI.failure(error)
            }
            return AppRegistry(storage: store, maxAge: .zero)
        }
    }

    /// Runs `body`, with a registration problem or a storage error in words.
    static func doing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let failure as CLI.Failure {
            throw failure
        } catch {
            throw CLI.failure(error)
        }
    }

    static func date(_ text: String) throws -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Europe/Copenhagen")
        formatter.dateFormat = "yyyy-MM-dd"
        guard let day = formatter.date(from: text) else {
            throw CLI.refusal("platform-cli.error.app-date", ["date": .text(text)])
        }
        // The whole day counts.
        return day.addingTimeInterval(86_400)
    }

    /// `SYSTEM|VALUE`, or a bare value taken as a GP practice's ydernummer or, with 13+ digits, a SOR code.
    static func organization(_ text: String, name: String?) throws -> Identity.Organization {
        let parts = text.split(separator: "|", maxSplits: 1).map(String.init)
        let system: String
        let value: String
        if parts.count == 2 {
            (system, value) = (parts[0], parts[1])
        } else {
            value = text
            system = value.count >= 13 ? "urn:oid:1.2.208.176.1.1" : "urn:oid:1.2.208.176.1.4"
        }
        guard !system.isEmpty, !value.isEmpty, value.count <= 64 else {
            throw CLI.refusal("platform-cli.error.app-organization", ["organization": .text(text)])
        }
        return Identity.Organization(system: system, value: value, name: name ?? value)
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("platform-cli.abstract.apps-register"))

        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.app-id"))) var id: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.app-name"))) var name: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.app-vendor"))) var vendor: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.app-description"))) var description: String = ""
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.app-kind"))) var kind: String
        @Option(name: .customLong("redirect-uri"), help: ArgumentHelp(CLI.text("platform-cli.help.app-redirect")))
        var redirectURIs: [String] = []
        @Option(name: .customLong("launch-url"), help: ArgumentHelp(CLI.text("platform-cli.help.app-launch")))
        var launchURL: String?
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.app-jwks"), valueName: CLI.catalog.text("cli.value.file")))
        var jwks: String?
        @Option(name: .customLong("jwks-url"), help: ArgumentHelp(CLI.text("platform-cli.help.app-jwks-url")))
        var jwksURL: String?
        @Option(name: .customLong("scope"), help: ArgumentHelp(CLI.text("platform-cli.help.app-scope")))
        var scopes: [String] = []
        @Option(name: .customLong("pilot-until"), help: ArgumentHelp(CLI.text("platform-cli.help.app-pilot-until")))
        var pilotUntil: String?
        @OptionGroup var storageOption: StorageOption
        @OptionGroup var languageOption: LanguageOption

        func run() async throws {
            guard let kind = AppRegistration.Kind(rawValue: kind), kind != .platformService else {
                throw CLI.refusal("platform-cli.error.app-kind", ["kind": .text(self.kind)])
            }
            var keys: String?
            if let jwks {
                guard let data = FileManager.default.contents(atPath: jwks) else {
                    throw CLI.failure("platform-cli.error.file-unreadable", ["file": .text(jwks)])
                }
                keys = String(decoding: data, as: UTF8.self)
            }
            let until = try pilotUntil.map(Apps.date)
            let registry = try await storageOption.registry()
            let app = try await Apps.doing {
                try await registry.register(
                    AppRegistration(
                        clientID: id, name: name, vendor: vendor, description: description, kind: kind,
                        redirectURIs: redirectURIs, launchURL: launchURL, jwks: keys, jwksURL: jwksURL, scopes: scopes,
                        status: .pilot, pilotExpires: until))
            }
            print(
                CLI.text(
                    "platform-cli.apps.registered",
                    ["id": .text(app.clientID), "scopes": .text(app.scopes.joined(separator: " "))]))
        }
    }

    /// `approve ID` and `withdraw ID`: the app's status set, and said.
    protocol StatusCommand: AsyncParsableCommand {
        static var status: AppRegistration.Status { get }
        static var said: String { get }
        var id: String { get }
        var storageOption: StorageOption { get }
    }

    struct Approve: StatusCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("platform-cli.abstract.apps-approve"))
        static let status = AppRegistration.Status.approved
        static let said = "platform-cli.apps.approved"
        @Argument(help: ArgumentHelp(CLI.text("platform-cli.help.app-id"))) var id: String
        @OptionGroup var storageOption: StorageOption
        @OptionGroup var languageOption: LanguageOption
    }

    struct Withdraw: StatusCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("platform-cli.abstract.apps-withdraw"))
        static let status = AppRegistration.Status.withdrawn
        static let said = "platform-cli.apps.withdrawn"
        @Argument(help: ArgumentHelp(CLI.text("platform-cli.help.app-id"))) var id: String
        @OptionGroup var storageOption: StorageOption
        @OptionGroup var languageOption: LanguageOption
    }

    struct Pilot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("platform-cli.abstract.apps-pilot"))
        @Argument(help: ArgumentHelp(CLI.text("platform-cli.help.app-id"))) var id: String
        @Option(name: .customLong("until"), help: ArgumentHelp(CLI.text("platform-cli.help.app-pilot-until")))
        var until: String
        @OptionGroup var storageOption: StorageOption
        @OptionGroup var languageOption: LanguageOption

        func run() async throws {
            let date = try Apps.date(until)
            let registry = try await storageOption.registry()
            let app = try await Apps.doing { try await registry.setStatus(id, .pilot, pilotExpires: date) }
            print(CLI.text("platform-cli.apps.pilot", ["app": .text(app.name), "until": .text(until)]))
        }
    }

    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("platform-cli.abstract.apps-install"))
        @Argument(help: ArgumentHelp(CLI.text("platform-cli.help.app-id"))) var id: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.app-organization"))) var organization: String?
        @Option(name: .customLong("organization-name"), help: ArgumentHelp(CLI.text("platform-cli.help.app-organization-name")))
        var organizationName: String?
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.app-role"))) var role: String?
        @Flag(help: ArgumentHelp(CLI.text("platform-cli.help.app-citizens"))) var citizens = false
        @OptionGroup var storageOption: StorageOption
        @OptionGroup var languageOption: LanguageOption

        func run() async throws {
            let target: Identity.Organization
            if citizens {
                target = AppInstallation.citizens
            } else if let organization {
                target = try Apps.organization(organization, name: organizationName)
            } else {
                throw CLI.refusal("platform-cli.error.app-organization-missing")
            }
            var acting: Identity.Role?
            if let role {
                guard let known = Identity.Role(rawValue: role), known.isClinician else {
                    throw CLI.refusal("platform-cli.error.app-role", ["role": .text(role)])
                }
                acting = known
            }
            let registry = try await storageOption.registry()
            let installed = try await Apps.doing {
                try await registry.install(AppInstallation(clientID: id, organization: target, role: acting, installedBy: "cli"))
            }
            print(
                CLI.text("platform-cli.apps.installed", ["app": .text(id), "organization": .text(installed.organization.name)]))
        }
    }

    struct Uninstall: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("platform-cli.abstract.apps-uninstall"))
        @Argument(help: ArgumentHelp(CLI.text("platform-cli.help.app-id"))) var id: String
        @Option(help: ArgumentHelp(CLI.text("platform-cli.help.app-organization"))) var organization: String?
        @Flag(help: ArgumentHelp(CLI.text("platform-cli.help.app-citizens"))) var citizens = false
        @OptionGroup var storageOption: StorageOption
        @OptionGroup var languageOption: LanguageOption

        func run() async throws {
            let target: Identity.Organization
            if citizens {
                target = AppInstallation.citizens
            } else if let organization {
                target = try Apps.organization(organization, name: nil)
            } else {
                throw CLI.refusal("platform-cli.error.app-organization-missing")
            }
            let registry = try await storageOption.registry()
            let removed = try await Apps.doing { try await registry.uninstall(id, organization: target) }
            guard removed else {
                throw CLI.failure("platform-cli.apps.not-installed", ["app": .text(id), "organization": .text(target.value)])
            }
            print(CLI.text("platform-cli.apps.uninstalled", ["app": .text(id), "organization": .text(target.value)]))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("platform-cli.abstract.apps-list"))
        @Flag(help: ArgumentHelp(CLI.text("platform-cli.help.json"))) var json = false
        @OptionGroup var storageOption: StorageOption
        @OptionGroup var languageOption: LanguageOption

        func run() async throws {
            let registry = try await storageOption.registry()
            let (apps, installations) = try await Apps.doing {
                (try await registry.all(), try await registry.storage.installations())
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .iso8601
                struct Listing: Encodable {
                    var apps: [AppRegistration]
                    var installations: [AppInstallation]
                }
                let data = try encoder.encode(Listing(apps: apps, installations: installations))
                print(String(decoding: data, as: UTF8.self))
                return
            }
            guard !apps.isEmpty else {
                print(CLI.text("platform-cli.apps.none"))
                return
            }
            for app in apps {
                let installed = installations.filter { $0.clientID == app.clientID }.map(\.organization.name)
                print(
                    CLI.text(
                        "platform-cli.apps.line",
                        [
                            "id": .text(app.clientID), "name": .text(app.name), "kind": .text(app.kind.rawValue),
                            "status": .text(app.status.rawValue), "scopes": .text(app.scopes.joined(separator: " ")),
                            "installed": .text(installed.isEmpty ? "-" : installed.joined(separator: ", ")),
                        ]))
            }
        }
    }
}

extension Apps.StatusCommand {
    func run() async throws {
        let registry = try await storageOption.registry()
        let app = try await Apps.doing { try await registry.setStatus(id, Self.status) }
        print(CLI.text(Self.said, ["app": .text(app.name)]))
    }
}
