import Foundation
import TOMLKit
import Words

/// The sources, from a TOML file of `[[source]]` tables:
///
/// ```toml
/// [[source]]
/// id = "hospital"
/// name = "Herlev og Gentofte Hospital (EPJ)"
/// sector = "hospital"        # hospital | gp | municipality | other
/// fhir = "http://127.0.0.1:8101/fhir"
/// timeout_ms = 2000
/// kind = "clinical"          # clinical (default) | preferences (the citizens' blocks, read by the gateway)
/// notify_secret_sha256 = "…"  # SHA-256 (hex) of the secret the source sends with its change notifications
/// ca = "/etc/sundhedscloud/region-ca.pem"   # CA bundle for this source's certificate (https), besides the system's
/// ```
public struct SourceRegistry: Sendable, Hashable {
    public var sources: [SourceDefinition]

    public init(sources: [SourceDefinition]) {
        self.sources = sources
    }

    /// The sources of clinical data (what an overview asks).
    public var clinical: [SourceDefinition] { sources.filter { $0.kind == .clinical } }

    public func source(_ id: String) -> SourceDefinition? {
        sources.first { $0.id == id }
    }

    public static func load(path: String) throws(RegistryError) -> SourceRegistry {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw RegistryError(
                file: path, line: nil, phrase: Phrase("registry.unreadable", ["error": .text(error.localizedDescription)]))
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String = "sources.toml") throws(RegistryError) -> SourceRegistry {
        let table: TOMLTable
        do throws(TOMLDocument.Problem) {
            table = try TOMLDocument.parse(text)
        } catch {
            switch error {
            case .controlCharacter(let line, let code):
                throw RegistryError(file: file, line: line, phrase: Phrase("registry.control-character", ["code": .text(code)]))
            case .tableName(let line):
                throw RegistryError(file: file, line: line, phrase: Phrase("registry.table-name"))
            case .missingValue(let line):
                throw RegistryError(file: file, line: line, phrase: Phrase("registry.missing-value"))
            case .invalid(let line, let message):
                throw RegistryError(file: file, line: line, phrase: Phrase("registry.invalid-toml", ["error": .text(message)]))
            }
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Line numbers of each [[source]] header, to name the line of a problem in that table.
        let headers = lines.indices.filter { lines[$0].trimmingCharacters(in: .whitespaces).hasPrefix("[[source]]") }
        func line(of index: Int, key: String? = nil) -> Int? {
            guard index < headers.count else { return nil }
            let start = headers[index]
            let end = index + 1 < headers.count ? headers[index + 1] : lines.count
            if let key,
                let found = (start..<end).first(where: {
                    lines[$0].trimmingCharacters(in: .whitespaces).hasPrefix(key + " ")
                        || lines[$0].trimmingCharacters(in: .whitespaces).hasPrefix(key + "=")
                })
            {
                return found + 1
            }
            return start + 1
        }
        for key in table.keys where key != "source" {
            throw RegistryError(file: file, line: nil, phrase: Phrase("registry.unknown-top-key", ["key": .text(key)]))
        }
        guard let array = table["source"]?.array else {
            throw RegistryError(file: file, line: nil, phrase: Phrase("registry.no-source-tables"))
        }
        var sources: [SourceDefinition] = []
        for index in 0..<array.count {
            guard let entry = array[index].table else {
                throw RegistryError(file: file, line: line(of: index), phrase: Phrase("registry.source-not-table"))
            }
            func string(_ key: String, required: Bool = true) throws(RegistryError) -> String? {
                guard let value = entry[key] else {
                    if required {
                        throw RegistryError(
                            file: file, line: line(of: index),
                            phrase: Phrase("registry.missing-key", ["number": .integer(index + 1), "key": .text(key)]))
                    }
                    return nil
                }
                guard let text = value.string, !text.isEmpty else {
                    throw RegistryError(
                        file: file, line: line(of: index, key: key), phrase: Phrase("registry.not-text", ["key": .text(key)]))
                }
                return text
            }
            let known = ["id", "name", "sector", "fhir", "timeout_ms", "kind", "notify_secret_sha256", "ca", "sandbox"]
            for key in entry.keys where !known.contains(key) {
                throw RegistryError(
                    file: file, line: line(of: index, key: key),
                    phrase: Phrase("registry.unknown-key", ["key": .text(key), "known": .text(known.joined(separator: ", "))]))
            }
            let id = try string("id")!
            guard id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw RegistryError(
                    file: file, line: line(of: index, key: "id"), phrase: Phrase("registry.bad-id", ["id": .text(id)]))
            }
            guard !sources.contains(where: { $0.id == id }) else {
                throw RegistryError(
                    file: file, line: line(of: index, key: "id"), phrase: Phrase("registry.duplicate-id", ["id": .text(id)]))
            }
            let sectorText = try string("sector")!
            guard let sector = Sector(rawValue: sectorText) else {
                throw RegistryError(
                    file: file, line: line(of: index, key: "sector"),
                    phrase: Phrase("registry.bad-sector", ["sector": .text(sectorText)]))
            }
            let fhir = try string("fhir")!
            guard let url = URL(string: fhir), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                throw RegistryError(
                    file: file, line: line(of: index, key: "fhir"), phrase: Phrase("registry.bad-fhir", ["fhir": .text(fhir)]))
            }
            var timeout = SourceDefinition.defaultTimeoutMs
            if let value = entry["timeout_ms"] {
                guard let ms = value.int, ms > 0, ms <= 600_000 else {
                    throw RegistryError(
                        file: file, line: line(of: index, key: "timeout_ms"),
                        phrase: Phrase("registry.bad-timeout"))
                }
                timeout = ms
            }
            let name = try string("name", required: false) ?? id
            let kindText = try string("kind", required: false) ?? "clinical"
            guard let kind = SourceDefinition.Kind(rawValue: kindText) else {
                throw RegistryError(
                    file: file, line: line(of: index, key: "kind"),
                    phrase: Phrase("registry.bad-kind", ["kind": .text(kindText)]))
            }
            let secretHash = try string("notify_secret_sha256", required: false)?.lowercased()
            if let secretHash, secretHash.count != 64 || !secretHash.allSatisfy(\.isHexDigit) {
                throw RegistryError(
                    file: file, line: line(of: index, key: "notify_secret_sha256"),
                    phrase: Phrase("registry.bad-secret-hash"))
            }
            var source = SourceDefinition(id: id, name: name, sector: sector, fhir: fhir, timeoutMs: timeout, kind: kind)
            source.notifySecretSHA256 = secretHash
            if let ca = try string("ca", required: false) {
                // Relative to the registry file's folder.
                let path =
                    ca.hasPrefix("/")
                    ? ca : URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(ca).path
                guard FileManager.default.fileExists(atPath: path) else {
                    throw RegistryError(
                        file: file, line: line(of: index, key: "ca"), phrase: Phrase("registry.no-ca-file", ["file": .text(ca)]))
                }
                source.ca = path
            }
            if let value = entry["sandbox"] {
                guard let flag = value.bool else {
                    throw RegistryError(
                        file: file, line: line(of: index, key: "sandbox"), phrase: Phrase("registry.bad-sandbox"))
                }
                source.sandbox = flag
            }
            sources.append(source)
        }
        guard !sources.isEmpty else { throw RegistryError(file: file, line: nil, phrase: Phrase("registry.no-sources")) }
        return SourceRegistry(sources: sources)
    }

    /// A TOML basic string. Backslashes were written as they were: `'x\by'` came back as x, backspace, y (found by
    /// fuzzing, `tomlRegistry`: `toml()` must read back as the same registry).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += String(format: "\\u%04X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The registry as TOML, in the format `parse` reads.
    public func toml() -> String {
        sources.map { source in
            """
            [[source]]
            id = \(Self.quoted(source.id))
            name = \(Self.quoted(source.name))
            sector = "\(source.sector.rawValue)"
            fhir = \(Self.quoted(source.fhir))
            timeout_ms = \(source.timeoutMs)
            \(source.kind == .clinical ? "" : "kind = \"\(source.kind.rawValue)\"\n")\(source.notifySecretSHA256.map { "notify_secret_sha256 = \"\($0)\"\n" } ?? "")\(source.ca.map { "ca = \"\($0)\"\n" } ?? "")\(source.sandbox ? "sandbox = true\n" : "")
            """
        }.joined(separator: "\n")
    }
}

public struct RegistryError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    public let line: Int?
    /// What is wrong, for the edge to put in words (`registry.*`).
    public let phrase: Phrase

    public init(file: String, line: Int?, phrase: Phrase) {
        self.file = file
        self.line = line
        self.phrase = phrase
    }

    /// What is wrong, in Danish.
    public var message: String { phrase.danish }

    /// "sources.toml, linje 4: ..." in the catalog's language.
    public func words(_ catalog: Catalog) -> String {
        let what = catalog.text(phrase)
        guard let line else { return "\(file): \(what)" }
        return catalog.text("registry.at-line", ["file": .text(file), "line": .integer(line), "what": .text(what)])
    }

    public var description: String { words(.danish) }
}
