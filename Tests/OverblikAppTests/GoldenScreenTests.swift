import EventStream
import FHIR
import Federation
import Foundation
import OverblikApp
import Terminal
import Testing
import Words

/// Every screen as golden text from the pure grid, at 80x24 and 160x48, in Danish and English, with 256 colours and
/// without colour (the style map shows that emphasis then comes from bold/reverse/underline). Record anew with
/// `OVERBLIK_RECORD_GOLDEN=1 swift test --filter GoldenScreenTests` and review the diff.
@Suite struct GoldenScreenTests {
    static let directory: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let record = ProcessInfo.processInfo.environment["OVERBLIK_RECORD_GOLDEN"] != nil

    struct Case: CustomTestStringConvertible, Sendable {
        let screen: String
        let language: Language
        let width: Int
        let height: Int
        let tier: ColorTier

        var name: String { "\(screen)-\(language.rawValue)-\(width)x\(height)-\(tier == .none ? "nocolor" : "color")" }
        var testDescription: String { name }
    }

    static let screens = [
        "search", "overview", "overview-labs", "overview-vaccinations", "detail", "timeline", "trends", "notifications",
        "help", "source-down", "denied", "withheld", "withheld-medication", "access-log", "summary", "apps",
    ]
    static let cases: [Case] = screens.flatMap { screen in
        Language.allCases.flatMap { language in
            [(80, 24), (160, 48)].flatMap { size in
                [ColorTier.twoFiftySix, .none].map {
                    Case(screen: screen, language: language, width: size.0, height: size.1, tier: $0)
                }
            }
        }
    }

    static func model(for test: Case) -> Model {
        func keys(_ model: inout Model, _ keys: [Key]) {
            for key in keys { _ = Update.update(&model, .key(key)) }
        }
        switch test.screen {
        case "search":
            return AppFixtures.model(test.language, width: test.width, height: test.height, tier: test.tier)
        case "denied", "withheld", "withheld-medication":
            // Through the gateway: an unrelated doctor is refused; the ED doctor sees all but Bruno's blocked GP data.
            var model = AppFixtures.model(test.language, width: test.width, height: test.height, tier: test.tier)
            model.viaGateway = true
            keys(&model, "2509479989".map { .character($0) } + [.enter])
            let states: [String: SourceStatus.State] =
                test.screen == "denied"
                ? ["hospital": .denied, "gp": .withheld, "municipality": .denied, "nsp": .denied] : ["gp": .withheld]
            _ = Update.update(&model, .overviewLoaded(AppFixtures.overview("2509479989", states: states), complete: true))
            // With the GP's data withheld, the medication card still lists his medication.
            if test.screen == "withheld-medication" { keys(&model, [.character("5")]) }
            return model
        case "access-log":
            var model = AppFixtures.model(test.language, width: test.width, height: test.height, tier: test.tier)
            model.viaGateway = true
            keys(&model, [.character(":"), .character("l"), .character("o"), .character("g"), .enter])
            _ = Update.update(&model, .accessLogLoaded(AppFixtures.accessLog))
            return model
        case "source-down":
            var model = AppFixtures.model(test.language, width: test.width, height: test.height, tier: test.tier)
            keys(&model, "2509479989".map { .character($0) } + [.enter])
            _ = Update.update(
                &model, .overviewLoaded(AppFixtures.overview("2509479989", states: ["hospital": .error]), complete: true))
            return model
        default:
            var model = AppFixtures.bruno(test.language, width: test.width, height: test.height, tier: test.tier)
            switch test.screen {
            case "overview-labs": keys(&model, [.character("6"), .down])
            case "overview-vaccinations": keys(&model, [.character("9")])
            case "detail": keys(&model, [.character("7"), .enter])
            case "timeline": keys(&model, [.character("t")])
            case "trends": keys(&model, [.character("L"), .down])
            case "notifications":
                _ = Update.update(&model, .stream(.state(.live)))
                _ = Update.update(&model, .stream(.notification(AppFixtures.event("2509479989", code: "STAA", number: 1))))
                _ = Update.update(&model, .stream(.notification(AppFixtures.event("2512489996", code: "RE_STAA", number: 2))))
                _ = Update.update(
                    &model,
                    .stream(.notification(AppFixtures.event("2509479989", code: "lab-result", number: 3, organization: nil))))
                keys(&model, [.character("n")])
            case "help": keys(&model, [.character("?")])
            case "summary":
                // The ED doctor's summary of Bruno (through the gateway), fetched five seconds ago.
                model.viaGateway = true
                keys(&model, [.character("R")])
                _ = Update.update(
                    &model,
                    .summaryLoaded(
                        try! CPRNumber("2509479989"), AppFixtures.summaryDocument(test.language),
                        at: AppFixtures.now.addingTimeInterval(-5)))
            case "apps":
                // Bruno himself on his own overview: the catalogue, and the app that read his vaccinations.
                model.viaGateway = true
                keys(&model, [.character("A")])
                _ = Update.update(
                    &model,
                    .appsLoaded(AppFixtures.appListings, reads: AppFixtures.appReads, readsNote: nil))
            default: break
            }
            return model
        }
    }

    @Test(arguments: cases)
    func screenMatchesItsGolden(test: Case) throws {
        TerminalLocale.setUp()
        let screen = View.render(Self.model(for: test))
        #expect(screen.width == test.width && screen.height == test.height)
        let actual = screen.text + "\n\n== styles ==\n" + screen.styleMap + "\n"
        let file = Self.directory.appendingPathComponent(test.name + ".txt")
        if Self.record {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try actual.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        if actual != expected {
            let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let line = Array(zip(a, e)).firstIndex { $0.0 != $0.1 } ?? min(a.count, e.count)
            Issue.record(
                "\(test.name) differs at line \(line + 1):\n  expected: \(line < e.count ? String(e[line]) : "<end>")\n  actual:   \(line < a.count ? String(a[line]) : "<end>")"
            )
        }
    }

    @Test func asciiFallbackDrawsNoUnicodeBoxes() {
        TerminalLocale.setUp()
        var model = AppFixtures.bruno(width: 80, height: 24)
        model.glyphs = .ascii
        let text = View.render(model).text
        #expect(!text.contains("┌") && !text.contains("│") && !text.contains("▶"))
        #expect(text.contains("+") && text.contains("|"))
    }

    @Test func everyScreenFitsAt80x24AndSaysSomethingAtOnce() {
        TerminalLocale.setUp()
        for screen in Self.screens {
            let model = Self.model(for: Case(screen: screen, language: .da, width: 80, height: 24, tier: .none))
            let lines = View.render(model).lines
            #expect(lines.count == 24)
            #expect(lines.allSatisfy { DisplayWidth.of($0) == 80 }, "\(screen)")
            #expect(lines.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count > 3, "\(screen)")
        }
    }
}
