import Crypto
import Foundation
import Words

/// Where the cache's key comes from: `$OVERBLIK_CACHE_KEY` (32 bytes, base64), else a key file (mode 0600) that is
/// created on first use. The key file lives in the configuration directory, the cache in the cache directory: never
/// the two together.
public enum CacheKeyStore {
    public static let environmentVariable = "OVERBLIK_CACHE_KEY"

    /// The key cannot be had, with why (`cache-error.key-*` in `Assets/strings`); `description` is it in Danish.
    public struct KeyError: Error, CustomStringConvertible, Sendable, Phrased {
        public let phrase: Phrase

        public init(_ phrase: Phrase) { self.phrase = phrase }

        public var description: String { Catalog.danish.text(phrase) }
    }

    public static func defaultKeyPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        XDGDirectory.config.path("cache.key", environment: environment)
    }

    public static func loadOrCreate(
        path: String = defaultKeyPath(), environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KeyError) -> SymmetricKey {
        if let encoded = environment[environmentVariable], !encoded.isEmpty {
            guard let bytes = Data(base64Encoded: encoded), bytes.count == 32 else {
                throw KeyError(Phrase("cache-error.key-not-base64", ["variable": .text(environmentVariable)]))
            }
            return SymmetricKey(data: bytes)
        }
        let fm = FileManager.default
        if fm.fileExists(atPath: path) {
            let attributes = try? fm.attributesOfItem(atPath: path)
            if let mode = (attributes?[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
                throw KeyError(
                    Phrase("cache-error.key-file-readable", ["file": .text(path), "mode": .text(String(mode, radix: 8))]))
            }
            guard let bytes = fm.contents(atPath: path), bytes.count == 32 else {
                throw KeyError(Phrase("cache-error.key-file-damaged", ["file": .text(path)]))
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
            throw KeyError(
                Phrase(
                    "cache-error.key-folder-unmakeable", ["file": .text(path), "error": .text(error.localizedDescription)]))
        }
        guard fm.createFile(atPath: path, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
            throw KeyError(Phrase("cache-error.key-file-unwritable", ["file": .text(path)]))
        }
        return key
    }
}
