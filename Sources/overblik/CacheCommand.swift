import ArgumentParser
import Federation
import Foundation

struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache", abstract: "Cachen af kildernes svar (krypteret).", subcommands: [Purge.self, Info.self])

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Tøm cachen helt, eller fjern det der er ældre end en alder.")

        @Option(help: "Fjern kun poster hentet for mere end så mange timer siden.")
        var olderThanHours: Double?

        func run() async throws {
            guard let (cache, path) = try CacheCommand.openExisting(missing: "Cachen er tom") else { return }
            if let hours = olderThanHours {
                let removed = try cache.purge(olderThan: Date().addingTimeInterval(-hours * 3600))
                print("Fjernede \(removed) poster ældre end \(hours) timer fra \(path).")
            } else {
                try cache.purgeAll()
                print("Cachen er tømt: \(path).")
            }
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Vis hvor cachen ligger og hvor stor den er.")

        func run() async throws {
            guard let (cache, path) = try CacheCommand.openExisting(missing: "Ingen cache endnu") else { return }
            let stats = try cache.statistics()
            print("Cache: \(path)\nNøgle: \(CacheKeyStore.defaultKeyPath()) (eller $\(CacheKeyStore.environmentVariable))")
            print("Poster: \(stats.entries), \(stats.bytes / 1024) KiB krypteret indhold.")
        }
    }

    /// The user's cache if its file exists; otherwise says so and gives nil (no cache or key is created).
    static func openExisting(missing: String) throws -> (ResourceCache, String)? {
        let path = ResourceCache.defaultPath()
        guard FileManager.default.fileExists(atPath: path) else {
            print("\(missing) (\(path) findes ikke).")
            return nil
        }
        return (try ResourceCache(path: path, key: try CacheKeyStore.loadOrCreate()), path)
    }
}
