import ArgumentParser
import Federation
import Foundation
import Words

struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache", abstract: CLI.text("cli.abstract.cache"), subcommands: [Purge.self, Info.self])

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("cli.abstract.purge"))

        @Option(help: ArgumentHelp(CLI.text("cli.help.older-than")))
        var olderThanHours: Double?

        func run() async throws {
            guard let (cache, path) = try CacheCommand.openExisting(missing: CLI.text("cli.cache.empty")) else { return }
            if let hours = olderThanHours {
                let removed = try cache.purge(olderThan: Date().addingTimeInterval(-hours * 3600))
                print(
                    CLI.text("cli.cache.removed", ["count": .integer(removed), "hours": .text("\(hours)"), "path": .text(path)]))
            } else {
                try cache.purgeAll()
                print(CLI.text("cli.cache.emptied", ["path": .text(path)]))
            }
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: CLI.text("cli.abstract.info"))

        func run() async throws {
            guard let (cache, path) = try CacheCommand.openExisting(missing: CLI.text("cli.cache.none-yet")) else { return }
            let stats = try cache.statistics()
            print(
                CLI.text(
                    "cli.cache.where",
                    [
                        "path": .text(path), "key": .text(CacheKeyStore.defaultKeyPath()),
                        "variable": .text(CacheKeyStore.environmentVariable),
                    ]))
            print(CLI.text("cli.cache.stats", ["count": .integer(stats.entries), "kib": .integer(stats.bytes / 1024)]))
        }
    }

    /// The user's cache if its file exists; otherwise says so and gives nil (no cache or key is created).
    static func openExisting(missing: String) throws -> (ResourceCache, String)? {
        let path = ResourceCache.defaultPath()
        guard FileManager.default.fileExists(atPath: path) else {
            print(CLI.text("cli.cache.missing", ["what": .text(missing), "path": .text(path)]))
            return nil
        }
        return (try ResourceCache(path: path, key: try CacheKeyStore.loadOrCreate()), path)
    }
}
