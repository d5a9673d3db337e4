import Federation
import Foundation
import Terminal
import Testing
import Words

@testable import OverblikApp

/// The catalogs (`Assets/strings/da.toml`, `en.toml`) and the code held to each other: an id in one language only,
/// an id the code asks for that no catalog has, a text nothing uses, or parameters that differ between the languages
/// fail here, not on a user's screen. And English screens hold no Danish word of ours.
@Suite struct CatalogTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let danish = Catalog.danish
    static let english = Catalog.english

    /// Ids the code makes up from a code (`status.condition.<code>`), with every code it may make.
    static let families: [String: Set<String>] = {
        var all = CodePhrases.families.merging(Strings.families) { $0.union($1) }
        all["data-type"] = AccessLogView.dataTypes
        all["role"] = AccessLogView.roles
        all["log-source"] = AccessLogView.sources
        return all
    }()

    /// Every Swift source of the product, by path.
    static let sources: [(String, String)] = {
        let folder = root.appendingPathComponent("Sources")
        let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".swift") }.sorted().compactMap { path in
            (try? String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)).map { (path, $0) }
        }
    }()

    /// String literals that look like message ids: `"table.key"`, `"table.key.more"`.
    static let literals: [(file: String, id: String)] = {
        let pattern = try! Regex(#""([a-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*(?:\.[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)+)""#)
        return sources.flatMap { file, text in text.matches(of: pattern).map { (file, String($0.output[1].substring!)) } }
    }()

    static var tables: Set<String> { Set(danish.entries.keys.map { String($0.split(separator: ".")[0]) }) }

    @Test func theCatalogsLoadAndHoldTheSameIds() throws {
        try Catalog.checkBundled()
        #expect(Self.danish.entries.count > 300)
        let onlyDanish = Set(Self.danish.entries.keys).subtracting(Self.english.entries.keys).sorted()
        let onlyEnglish = Set(Self.english.entries.keys).subtracting(Self.danish.entries.keys).sorted()
        #expect(onlyDanish.isEmpty, "in da.toml only: \(onlyDanish)")
        #expect(onlyEnglish.isEmpty, "in en.toml only: \(onlyEnglish)")
    }

    @Test func bothLanguagesHaveTheSameParametersAndForms() {
        func parameters(_ entry: Catalog.Entry) -> Set<String> {
            // `{{` and `}}` are braces, not parameters.
            Set(
                entry.forms.flatMap {
                    $0.replacing("{{", with: "").replacing("}}", with: "").matches(of: /\{([a-z]+)\}/).map {
                        String($0.output.1)
                    }
                })
        }
        for (id, danish) in Self.danish.entries {
            guard let english = Self.english.entries[id] else { continue }
            #expect(parameters(danish) == parameters(english), "\(id): \(parameters(danish)) / \(parameters(english))")
            if case .plural = danish {
                #expect(english.forms.count == 2, "\(id) is a plural in Danish only")
                #expect(parameters(danish).contains("count"), "\(id) is a plural without {count}")
            }
            #expect(danish.forms.allSatisfy { !$0.isEmpty } && english.forms.allSatisfy { !$0.isEmpty }, "\(id) is empty")
        }
    }

    @Test func everyIdTheCodeAsksForExists() {
        var missing: [String] = []
        for (file, id) in Self.literals where Self.tables.contains(String(id.split(separator: ".")[0])) {
            if Self.danish.entries[id] == nil, !Self.families.keys.contains(id) { missing.append("\(file): \(id)") }
        }
        // Said explicitly: an id in a call that would show words, whatever its table.
        let calls = try! Regex(#"(?:\btext|Phrase|FetchFailure\(\.[a-zA-Z]+,)\(?\s*"([a-z][^"\\ ]*\.[^"\\ ]+)""#)
        for (file, text) in Self.sources {
            for match in text.matches(of: calls) {
                let id = String(match.output[1].substring!)
                if Self.danish.entries[id] == nil { missing.append("\(file): \(id)") }
            }
        }
        #expect(missing.isEmpty, "ids not in the catalogs: \(missing)")
    }

    @Test func everyFamilyIsComplete() {
        for (family, keys) in Self.families {
            for key in keys {
                #expect(Self.danish.entries["\(family).\(key)"] != nil, "\(family).\(key) is missing")
            }
            let inCatalog = Self.danish.entries.keys.filter { $0.hasPrefix(family + ".") }
                .map { String($0.dropFirst(family.count + 1)) }.filter { !$0.contains(".") }
            for key in inCatalog where !keys.contains(key) {
                // A family member the code never makes is dead text, unless the code names it outright.
                #expect(
                    Self.literals.contains { $0.id == "\(family).\(key)" }, "\(family).\(key) is in the catalog, never used")
            }
        }
    }

    @Test func everyTextIsUsed() {
        let used = Set(Self.literals.map(\.id))
        var unused: [String] = []
        for id in Self.danish.entries.keys.sorted() where !used.contains(id) {
            let inFamily = Self.families.contains { family, keys in
                id.hasPrefix(family + ".") && keys.contains(String(id.dropFirst(family.count + 1)))
            }
            if !inFamily { unused.append(id) }
        }
        #expect(unused.isEmpty, "catalog texts nothing uses: \(unused)")
    }

    @Test func parametersAndPluralsAreFilledIn() {
        #expect(Self.danish.text("common.fetching-from", ["count": .integer(1)]) == "Henter fra 1 kilde…")
        #expect(Self.danish.text("common.fetching-from", ["count": .integer(3)]) == "Henter fra 3 kilder…")
        #expect(Self.english.text("common.fetching-from", ["count": .integer(1)]) == "Fetching from 1 source…")
        #expect(Self.english.text(Phrase.timeout(milliseconds: 1500)) == "did not answer within 1.5 s")
        #expect(Self.danish.text(Phrase.timeout(milliseconds: 1500)) == "svarede ikke inden for 1,5 s")
        #expect(Self.danish.text(Phrase.timeout(milliseconds: 800)) == "svarede ikke inden for 800 ms")
        // Outside words are shown as they came, never read as a template.
        #expect(Self.danish.text(.verbatim("{count} {{x}}")) == "{count} {{x}}")
        #expect(Self.english.text(.translated(danish: "nægtet", english: "refused")) == "refused")
        #expect(Self.english.text(.translated(danish: "nægtet", english: nil)) == "nægtet")
        #expect(Self.english.text("no.such-id") == "no.such-id")
    }

    /// Words of ours that are Danish: in a Danish text of the catalog and in no English one (four letters or more).
    static let danishWords: Set<String> = {
        func words(_ catalog: Catalog) -> Set<String> {
            Set(
                catalog.entries.values.flatMap(\.forms).flatMap {
                    $0.lowercased().split { !$0.isLetter }.map(String.init)
                }.filter { $0.count >= 4 })
        }
        return words(danish).subtracting(words(english))
    }()

    /// Every golden screen in English, drawn now (not read from its file: a re-recorded golden cannot hide it).
    @Test func englishScreensShowNoDanishWordOfOurs() {
        TerminalLocale.setUp()
        let cases = GoldenScreenTests.cases.filter { $0.language == .en }
        #expect(cases.count >= 40)
        // The sources' own words are Danish (diagnoses, letters, names, places): those are shown as they came.
        let fromSources = Self.demoDataWords
        for test in cases {
            let screen = View.render(GoldenScreenTests.model(for: test)).text
            let found = Set(screen.lowercased().split { !$0.isLetter }.map(String.init))
                .intersection(Self.danishWords).subtracting(fromSources)
            #expect(found.isEmpty, "\(test.name) shows Danish: \(found.sorted())")
        }
    }

    /// The check itself: a Danish word of ours on an English screen is found.
    @Test func aDanishWordOnAnEnglishScreenIsFound() {
        #expect(Self.danishWords.contains("tilbage") && Self.danishWords.contains("forældet"))
        #expect(!Self.demoDataWords.contains("tilbage"), "a UI word must not hide among the sources' words")
    }

    /// Every word the sources send in the demo data (every text of every resource, attachments decoded), the demo
    /// users, and the texts this suite's fixtures make up (a reason typed for emergency access).
    static let demoDataWords: Set<String> = {
        var words = Set<String>()
        func add(_ text: String) {
            for word in text.lowercased().split(whereSeparator: { !$0.isLetter }) where word.count >= 4 {
                words.insert(String(word))
            }
        }
        func walk(_ value: Any, key: String?) {
            switch value {
            case let text as String:
                if key == "data", let data = Data(base64Encoded: text), let decoded = String(data: data, encoding: .utf8) {
                    add(decoded)
                } else {
                    add(text)
                }
            case let object as [String: Any]: for (key, inner) in object { walk(inner, key: key) }
            case let array as [Any]: for inner in array { walk(inner, key: key) }
            default: break
            }
        }
        let folder = root.appendingPathComponent("demo-data")
        let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".ndjson") || file.hasSuffix(".json") {
            guard let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                if let value = try? JSONSerialization.jsonObject(with: Data(line.utf8)) { walk(value, key: nil) }
            }
        }
        if let fixtures = try? String(
            contentsOf: root.appendingPathComponent("Tests/OverblikAppTests/AppFixtures.swift"), encoding: .utf8)
        {
            for literal in fixtures.matches(of: /"([^"\\]*)"/) { add(String(literal.output.1)) }
        }
        return words
    }()
}
