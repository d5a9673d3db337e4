import Foundation
import TestSupport
import Testing

/// `overblik overview` as a user runs it, with the embedded demo sources.
@Suite(.serialized) struct OverviewCommandTests {
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// A private cache and key for each run, so tests never share or touch the user's.
    func run(_ arguments: [String]) async throws -> (String, Int32) {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("overblik-cli-\(UUID().uuidString)").path
        let run = try ProcessRun(
            "overblik", arguments, directory: Self.repositoryRoot,
            environment: ["XDG_CACHE_HOME": home + "/cache", "XDG_CONFIG_HOME": home + "/config"])
        let finished = await run.waitForExit(timeout: .seconds(120))
        if !finished { run.process.terminate() }
        #expect(finished)
        return (run.output, run.process.terminationStatus)
    }

    @Test func plainOverviewOfBrunoFromAllThreeSources() async throws {
        let (text, status) = try await run(["overview", "2509479989", "--demo", "--plain"])
        #expect(status == 0, "\(text)")
        #expect(text.contains("Overblik over Bruno Test Elmer"))
        #expect(text.contains("CPR 250947-9989, 79 år, mand"))
        for source in [
            "Herlev og Gentofte Hospital (EPJ): ok", "Lægehuset Herlev Bygade (lægesystem): ok", "Herlev Kommune (EOJ): ok",
        ] {
            #expect(text.contains(source), "\(source)")
        }
        for section in [
            "Sygehistorik", "Hospitalskontakter", "Aftaler", "Hjemmepleje", "Medicin", "Laboratoriesvar", "Epikriser/dokumenter",
            "Allergier",
        ] {
            #expect(text.contains("\n\(section), "), "\(section)")
        }
        #expect(
            text.contains("kilde: Herlev og Gentofte Hospital (EPJ) og Lægehuset Herlev Bygade (lægesystem)"),
            "a merged diagnosis")
    }

    @Test func aDownHospitalSaysWhyAndTheRestArrives() async throws {
        let (text, status) = try await run(["overview", "2509479989", "--demo", "--plain", "--fault", "hospital:down"])
        #expect(status == 0)
        #expect(text.contains("Herlev og Gentofte Hospital (EPJ): FEJL: kilden afviste forbindelsen"))
        #expect(text.contains("Herlev Kommune (EOJ): ok"))
        #expect(text.contains("Hospitalskontakter, 0 punkter"))
        #expect(text.contains("Aftaler, "))
    }

    @Test func jsonForScripts() async throws {
        let (text, status) = try await run(["overview", "250947-9989", "--demo", "--json", "--no-cache"])
        #expect(status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(json?["cpr"] as? String == "2509479989")
        #expect((json?["sources"] as? [[String: Any]])?.count == 4)
        #expect(((json?["timeline"] as? [Any])?.count ?? 0) > 100)
    }

    @Test func plainOverviewInEnglish() async throws {
        let (text, status) = try await run(["overview", "2509479989", "--demo", "--plain", "--lang", "en"])
        #expect(status == 0, "\(text)")
        #expect(text.contains("Overview of Bruno Test Elmer"))
        #expect(text.contains("CPR 250947-9989, 79 years, male"))
        #expect(text.contains("\nHistory, ") && text.contains("\nLab results, "))
        for danish in ["Sygehistorik", "Kilder:", "hentet", "punkter", "målinger", "seneste", "Tidslinje"] {
            #expect(!text.contains(danish), "English output says \(danish)")
        }
        #expect(!text.contains(#/[0-9],[0-9] mmol/#), "decimal points in English")
    }

    @Test func theDemoDatesCanBeKeptAsTheyAre() async throws {
        // The data's first discharge letter is of 17.05.2019; moved to today it is later.
        let (kept, status) = try await run(["overview", "2509479989", "--demo", "--plain", "--all", "--no-date-shift"])
        #expect(status == 0, "\(kept)")
        #expect(kept.contains("17.05.2019"))
        let (moved, _) = try await run(["overview", "2509479989", "--demo", "--plain", "--all"])
        #expect(moved.contains("Overblik over Bruno Test Elmer"))
        #expect(!moved.contains("17.05.2019: Epikrise") || kept == moved, "the dates moved (unless today is the data's day)")
    }

    @Test func theCommandLineSpeaksEnglishWhenAsked() async throws {
        let (help, _) = try await run(["--lang", "en", "overview", "--help"])
        #expect(help.contains("Fetch one patient's whole overview from every source"), "\(help)")
        #expect(help.contains("Do not use the cache") && !help.contains("Brug ikke cachen"))
        let (wrong, status) = try await run(["overview", "12345", "--demo", "--lang", "en"])
        #expect(status != 0)
        #expect(wrong.contains("must have 10 digits"), "\(wrong)")
        let (danish, _) = try await run(["overview", "12345", "--demo"])
        #expect(danish.contains("skal have 10 cifre"))
    }

    @Test func aWrongCPRIsRefusedClearly() async throws {
        let (text, status) = try await run(["overview", "12345", "--demo"])
        #expect(status != 0)
        #expect(text.contains("10 cifre"))
    }

    @Test func cachePurge() async throws {
        let (text, status) = try await run(["cache", "purge"])
        #expect(status == 0)
        #expect(text.contains("Cachen er tom") || text.contains("Cachen er tømt"))
    }

    /// `overblik summary`: the citizen's own patient summary through the embedded gateway, as text and as the FHIR
    /// document; someone without access gets no summary and a clear word, not an empty one.
    @Test func aCitizenTakesHisSummaryAlongAndAStrangerGetsNone() async throws {
        let (text, status) = try await run(["summary", "2509479989", "--demo", "--user", "borger-bruno"])
        #expect(status == 0, "\(text)")
        #expect(text.contains("Patientresumé: Bruno Test Elmer"), "\(text)")
        #expect(text.contains("- Furosemid — 40 mg 1 gang dagligt"), "\(text)")
        #expect(text.contains("Vaccinationer:\n- "), "\(text)")

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ips-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        let (said, written) = try await run([
            "summary", "2509479989", "--demo", "--user", "borger-bruno", "--json", "--out", file.path, "--lang", "en",
        ])
        #expect(written == 0, "\(said)")
        #expect(said.contains("The summary is written to \(file.path)."), "\(said)")
        let document = try JSONSerialization.jsonObject(with: try Data(contentsOf: file)) as? [String: Any]
        #expect(document?["type"] as? String == "document")
        let first = ((document?["entry"] as? [[String: Any]])?.first?["resource"]) as? [String: Any]
        #expect(first?["resourceType"] as? String == "Composition")
        #expect(first?["title"] as? String == "Patient Summary")

        let (refused, code) = try await run(["summary", "2509479989", "--demo", "--user", "laege-uden-relation"])
        #expect(code != 0)
        #expect(refused.contains("Ingen kilde kender patienten 250947-9989 (eller ingen giver adgang)"), "\(refused)")
    }
}
