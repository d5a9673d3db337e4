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
            let path = ResourceCache.defaultPath()
            guard FileManager.default.fileExists(atPath: path) else {
                print("Cachen er tom (\(path) findes ikke).")
                return
            }
            let cache = try ResourceCache(path: path, key: try CacheKeyStore.loadOrCreate())
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
            let path = ResourceCache.defaultPath()
            guard FileManager.default.fileExists(atPath: path) else {
                print("Ingen cache endnu (\(path)).")
                return
            }
            let cache = try ResourceCache(path: path, key: try CacheKeyStore.loadOrCreate())
            let stats = try cache.statistics()
            print("Cache: \(path)\nNøgle: \(CacheKeyStore.defaultKeyPath()) (eller $\(CacheKeyStore.environmentVariable))")
            print("Poster: \(stats.entries), \(stats.bytes / 1024) KiB krypteret indhold.")
        }
    }
}
