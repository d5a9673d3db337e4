import Federation
import Testing

@testable import Words

@Suite struct RegistryTests {
    let good = """
        # Kilderne
        [[source]]
        id = "hospital"
        name = "Herlev og Gentofte Hospital (EPJ)"
        sector = "hospital"
        fhir = "http://127.0.0.1:8101/fhir/"
        timeout_ms = 1500

        [[source]]
        id = "gp"
        sector = "gp"
        fhir = "http://127.0.0.1:8102/fhir"
        """

    @Test func readsSources() throws {
        let registry = try SourceRegistry.parse(good)
        #expect(registry.sources.count == 2)
        #expect(registry.sources[0].fhir == "http://127.0.0.1:8101/fhir")
        #expect(registry.sources[0].timeoutMs == 1500)
        #expect(registry.sources[1].name == "gp")
        #expect(registry.sources[1].timeoutMs == SourceDefinition.defaultTimeoutMs)
        #expect(try SourceRegistry.parse(registry.toml()) == registry)
    }

    func expectError(_ text: String, line: Int?, containing: String) {
        do {
            _ = try SourceRegistry.parse(text, file: "kilder.toml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.line == line, "\(error)")
            #expect(error.message.contains(containing), "\(error)")
            #expect(error.description.hasPrefix("kilder.toml"))
        }
    }

    @Test func badFilesNameTheLineAndTheProblem() {
        expectError(
            good.replacingOccurrences(of: "sector = \"gp\"", with: "sector = \"apotek\""), line: 11, containing: "sector 'apotek'"
        )
        expectError(
            good.replacingOccurrences(of: "fhir = \"http://127.0.0.1:8102/fhir\"", with: "fhir = \"ftp://x\""), line: 12,
            containing: "http(s)-URL")
        expectError(
            good.replacingOccurrences(of: "timeout_ms = 1500", with: "timeout_ms = -3"), line: 7, containing: "timeout_ms")
        expectError(good.replacingOccurrences(of: "id = \"gp\"", with: "id = \"hospital\""), line: 10, containing: "brugt før")
        expectError(good.replacingOccurrences(of: "id = \"gp\"\n", with: ""), line: 9, containing: "mangler 'id'")
        expectError(
            good.replacingOccurrences(of: "timeout_ms = 1500", with: "timeout = 1500"), line: 7,
            containing: "ukendt nøgle 'timeout'")
        expectError(good.replacingOccurrences(of: "name = \"Herlev", with: "name = Herlev"), line: 4, containing: "ugyldig TOML")
        expectError("", line: nil, containing: "ingen kilder")
    }

    /// Found by fuzzing (`tomlRegistry`): toml++ inside TOMLKit asserts (aborting the process) on a control
    /// character or on a table header whose name starts with another character; both are clear errors now.
    @Test func whatTOMLKitWouldAbortOnIsAnError() {
        expectError(good.replacingOccurrences(of: "[[source]]", with: "[\u{15}source]]"), line: 2, containing: "U+0015")
        expectError(
            good.replacingOccurrences(of: "name = \"Herlev", with: "name = \"\u{7F}Herlev"), line: 4, containing: "U+007F")
        expectError("# Kilder\n[@source]]\nid = \"x\"\n", line: 2, containing: "tabelnavn")
        expectError("[[ {source]]\n", line: 1, containing: "tabelnavn")
        expectError("[\nmd\n+h", line: 1, containing: "tabelnavn")
        expectError("id = 1\n\u{FEFF}[\u{3000}@x]\n", line: 2, containing: "tabelnavn")
        expectError("[[source]]\nid = \"a\"\n[ \r\n", line: 3, containing: "tabelnavn")
        // A value that starts with what ends one (toml++ asserts on `fhir = [}`, found by fuzzing); strings and
        // comments that hold such characters are still fine.
        expectError("[[source]]\nid = \"a\"\nfhir = [} x =\n", line: 3, containing: "mangler en værdi")
        expectError("a = [1,,2]\n", line: 1, containing: "mangler en værdi")
        expectError("a = [\n  # c\n  ,]\n", line: 3, containing: "mangler en værdi")
        expectError("x = 1\na = ]\n", line: 2, containing: "mangler en værdi")
        expectError("a = { b = 1, }\n", line: 1, containing: "mangler en værdi")
        #expect(TOMLDocument.missingValue(in: "a = \"[}\" # [,\nb = '[,'\nc = \"\"\"\n[}\n\"\"\"\nd = [1, 2,]\ne = []\n") == nil)
        #expect(TOMLDocument.missingValue(in: "a = \"\"\"\nx\n\"\"\"\nb = [,]\n") == 4, "lines counted through a string")
        // Tabs and CRLF line ends are still TOML.
        #expect((try? SourceRegistry.parse(good.replacingOccurrences(of: "\n", with: "\r\n")))?.sources.count == 2)
        #expect((try? SourceRegistry.parse(good.replacingOccurrences(of: "id = ", with: "id =\t")))?.sources.count == 2)
    }

    /// Found with the `tomlRegistry` target: `toml()` wrote backslashes as they were, so `'x\by'` read back as x,
    /// backspace, y (and `\q` not at all).
    @Test func whatTomlWritesReadsBackTheSame() throws {
        let text = good.replacingOccurrences(
            of: "name = \"Herlev og Gentofte Hospital (EPJ)\"", with: #"name = 'C:\q\by "x"\#t'"#)
        let registry = try SourceRegistry.parse(text)
        #expect(registry.sources[0].name == #"C:\q\by "x"\#t"#)
        #expect(try SourceRegistry.parse(registry.toml()) == registry)
    }

    @Test func aMissingFileIsNamed() {
        #expect(throws: RegistryError.self) { try SourceRegistry.load(path: "/nonexistent/sources.toml") }
    }
}
