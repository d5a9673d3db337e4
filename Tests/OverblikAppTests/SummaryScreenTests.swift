import FHIR
import Foundation
import Terminal
import Testing
import Words

@testable import Federation
@testable import OverblikApp

/// The summary screen (`R`, `:resumé`) and its export (`E`), as a user at the keyboard meets them.
@Suite struct SummaryScreenTests {
    let bruno = try! CPRNumber("2509479989")

    func press(_ keys: [Key], _ model: inout Model) -> [Effect] {
        keys.flatMap { Update.update(&model, .key($0)) }
    }

    @Test func rOrResumeShowsTheOpenPatientsSummaryAndEExportsIt() throws {
        var model = AppFixtures.bruno()
        model.viaGateway = true
        #expect(press([.character("E")], &model).isEmpty, "E does nothing on the overview")
        #expect(press([.character("R")], &model) == [.loadSummary(bruno)])
        #expect(model.screen == .summary)
        #expect(View.render(model).text.contains("Henter resuméet"), "it says it is fetching, at once")
        // Export before it has come: said, nothing written.
        #expect(press([.character("E")], &model).isEmpty)
        #expect(model.toast == "Intet resumé at gemme endnu")

        let document = AppFixtures.summaryDocument(.da)
        // A summary of another patient arriving late changes nothing.
        _ = Update.update(&model, .summaryLoaded(try CPRNumber("2512489996"), document, at: AppFixtures.now))
        #expect(model.summary.document == nil)
        _ = Update.update(&model, .summaryLoaded(bruno, document, at: AppFixtures.now))
        let text = View.render(model).text
        #expect(text.contains("Furosemid"))
        #expect(text.contains("Ingen oplysninger: data er tilbageholdt"))
        let effects = press([.character("E")], &model)
        guard case .exportSummary(let cpr, let data) = effects.first else {
            Issue.record("E did not export: \(effects)")
            return
        }
        #expect(cpr == bruno)
        #expect(try JSONValue.parse(data) == document, "the document as it came")
        _ = Update.update(&model, .summaryExported(path: "/home/x/patientresume.json"))
        #expect(model.toast == "Resuméet er gemt i /home/x/patientresume.json")

        // Esc goes back to the overview; the command line opens it again, in Danish or English words.
        _ = press([.escape], &model)
        #expect(model.screen == .overview)
        for command in ["resumé", "resume", "summary", "ips"] {
            _ = press([.escape], &model)
            let started = press([.character(":")] + command.map { .character($0) } + [.enter], &model)
            #expect(started == [.loadSummary(bruno)], "\(command)")
            #expect(model.screen == .summary)
        }
    }

    @Test func noPatientOrNoAccessIsSaidInWords() throws {
        var model = AppFixtures.model()
        #expect(press([.character(":"), .character("i"), .character("p"), .character("s"), .enter], &model).isEmpty)
        #expect(model.toast == model.strings.noPatientOpen)
        #expect(model.screen == .search)

        var open = AppFixtures.bruno(.en)
        _ = press([.character("R")], &open)
        _ = Update.update(&open, .summaryFailed(bruno, Phrase("summary.no-access", ["cpr": .text(bruno.formatted)])))
        let text = View.render(open).text
        #expect(text.contains("No summary of 250947-9989"), "\(text)")
        _ = Update.update(&open, .summaryLoaded(bruno, .object(["resourceType": .string("Bundle")]), at: AppFixtures.now))
        #expect(View.render(open).text.contains("The answer is not an IPS document"))
    }

    @Test func theScreenShowsTheSourcesTextNotItsMarkup() {
        let summary = try! SummaryDocument(AppFixtures.summaryDocument(.da))
        let medication = summary.sections[0]
        #expect(medication.items[2] == "<script>Tiotropium&#27;</script> 1 inhalation dagligt")
        #expect(medication.notes.first?.hasPrefix("Ikke med her: Lægehuset") == true)
        #expect(summary.sections[1].emptyReason == "withheld")
        #expect(summary.patientName == "Bruno Test Elmer")
        for text in summary.sections.flatMap({ $0.items + $0.notes }) {
            #expect(TextSanitizer.isClean(text), "\(text.debugDescription)")
        }
        // Elements are read by name: `<link>` is not `<li>`, an unclosed one ends the text.
        #expect(SummaryDocument.elements("li", in: "<link>x</link><li class=\"a\">1 &amp; 2</li><li>3") == ["1 & 2", "3"])
        #expect(SummaryDocument.text(of: "a &#x41;&#66; &bogus; &") == "a AB &bogus; &")
        // Read as XML reads it, scalar by scalar: a combining mark after `>` or `&` (one Character with it) hides
        // neither the item nor the entity.
        #expect(SummaryDocument.elements("li", in: "<li>\u{035C}x &amp;\u{0301} y</li>") == ["\u{035C}x &\u{0301} y"])
        #expect(SummaryDocument.text(of: "<\u{035C}b>z") == "z")
    }

    @Test func anExportIsTheUsersOwnFileAndNeverOverwritesOne() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["OVERBLIK_EXPORT_DIR": directory.path, "HOME": "/nonexistent"]
        let first = try SummaryExport.write(
            Data("{}".utf8), cpr: bruno, language: .da, now: AppFixtures.now, environment: environment)
        let second = try SummaryExport.write(
            Data("[]".utf8), cpr: bruno, language: .da, now: AppFixtures.now, environment: environment)
        #expect(first.hasSuffix("/patientresume-250947-9989-20261123-1000.json") || first.contains("patientresume-250947-9989-"))
        #expect(second != first)
        #expect(try String(contentsOfFile: first, encoding: .utf8) == "{}")
        #expect(try String(contentsOfFile: second, encoding: .utf8) == "[]")
        let mode = try FileManager.default.attributesOfItem(atPath: first)[.posixPermissions] as? Int
        #expect(mode == 0o600, "health data: readable by the user only")
        #expect(throws: (any Error).self) {
            try SummaryExport.write(
                Data(), cpr: bruno, language: .en, environment: ["OVERBLIK_EXPORT_DIR": "/nonexistent/dir"])
        }
    }
}
