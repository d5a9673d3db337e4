import Foundation

/// The files in `Assets/` (strings, keymap, themes, help), found at run time: `OVERBLIK_ASSETS` when set, else the
/// resource bundle SwiftPM copies beside the executable (`Overblik_Assets.resources`, also where an installed binary
/// keeps it), else this source folder (a build run from the checkout). Never a crash: a missing folder is a clear
/// error from whoever reads a file.
public enum AssetFiles {
    /// The folder that holds `strings/`, `keymap.toml`, `themes/` and `help/`, or nil when none is found.
    public static let directory: URL? = candidates.first { folder in
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("strings/da.toml").path)
    }

    /// Where it was looked for, in order (named in the error when nothing is found).
    public static var candidates: [URL] {
        var folders: [URL] = []
        if let override = ProcessInfo.processInfo.environment["OVERBLIK_ASSETS"], !override.isEmpty {
            folders.append(URL(fileURLWithPath: override))
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        if let real = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            folders.append(URL(fileURLWithPath: real).deletingLastPathComponent().appendingPathComponent(bundleName))
        }
        folders.append(executable.deletingLastPathComponent().appendingPathComponent(bundleName))
        folders.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent())
        return folders
    }

    static let bundleName = "Overblik_Assets.resources"

    /// The text of `relative` (for example `strings/da.toml`), or an error naming where it was looked for.
    public static func text(_ relative: String) throws(AssetError) -> String {
        guard let directory else { throw AssetError.noFolder(candidates.map(\.path)) }
        let url = directory.appendingPathComponent(relative)
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8)
        else { throw AssetError.unreadable(url.path) }
        return text
    }

    /// The files in a folder of the assets (`themes`), sorted; empty when there is none.
    public static func files(in relative: String) -> [String] {
        guard let directory else { return [] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent(relative).path)) ?? []
        return names.sorted()
    }
}

/// Why an asset could not be read. Its words are English and Danish both: the catalogs themselves may be the
/// missing file.
public enum AssetError: Error, Sendable, CustomStringConvertible {
    case noFolder([String])
    case unreadable(String)

    public var description: String {
        switch self {
        case .noFolder(let paths):
            return "Overblik's assets (strings, keymap, themes) were not found / programmets filer blev ikke fundet: "
                + paths.joined(separator: ", ") + ". Set OVERBLIK_ASSETS to the Assets folder."
        case .unreadable(let path): return "cannot read / kan ikke læse \(path)"
        }
    }
}
