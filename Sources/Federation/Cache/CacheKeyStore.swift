import Crypto
import Foundation

/// Where the cache's key comes from: `$OVERBLIK_CACHE_KEY` (32 bytes, base64), else a key file (mode 0600) that is
/// created on first use. The key file lives in the configuration directory, the cache in the cache directory: never
/// the two together.
public enum CacheKeyStore {
    public static let environmentVariable = "OVERBLIK_CACHE_KEY"

    public struct KeyError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    public static func defaultKeyPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        XDGDirectory.config.path("cache.key", environment: environment)
    }

    public static func loadOrCreate(
        path: String = defaultKeyPath(), environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KeyError) -> SymmetricKey {
        if let encoded = environment[environmentVariable], !encoded.isEmpty {
            guard let bytes = Data(base64Encoded: encoded), bytes.count == 32 else {
                throw KeyError(description: "\(environmentVariable) skal være 32 bytes i base64 (fx `openssl rand -base64 32`)")
            }
            return SymmetricKey(data: bytes)
        }
        let fm = FileManager.default
        if fm.fileExists(atPath: path) {
            let attributes = try? fm.attributesOfItem(atPath: path)
            if let mode = (attributes?[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
                throw KeyError(
                    description: "Nøglefilen \(path) kan læses af andre (mode \(String(mode, radix: 8))); kør: chmod 600 \(path)")
            }
            guard let bytes = fm.contents(atPath: path), bytes.count == 32 else {
                throw KeyError(
                    description:
                        "Nøglefilen \(path) er beskadiget (skal være 32 bytes); slet den og tøm cachen: overblik cache purge")
            }
            return SymmetricKey(data: bytes)
        }
        let key = SymmetricKey(size: .bits256)
        let bytes = key.withUnsafeBytes { Data($0) }
        do {
            try fm.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
        } catch {
            throw KeyError(description: "Kan ikke oprette mappen til nøglefilen \(path): \(error.localizedDescription)")
        }
        guard fm.createFile(atPath: path, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
            throw KeyError(description: "Kan ikke skrive nøglefilen \(path)")
        }
        return key
    }
}
