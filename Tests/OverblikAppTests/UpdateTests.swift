import EventStream
import FHIR
import Federation
import Foundation
import OverblikApp
import Terminal
import Testing
import Words

/// What each key does, as a user would notice it: the screen shown, the work started, the message given.
@Suite struct UpdateTests {
    func press(_ keys: [Key], _ model: inout Model) -> [Effect] {
        keys.flatMap { Update.update(&model, .key($0)) }
    }

    func type(_ text: String) -> [Key] { text.map { Key.character($0) } }

    @Test func typingACPRAndEnterOpensThePatient() throws {
        var model = AppFixtures.model()
        let effects = press(type("250947-9989") + [.enter], &model)
        #expect(effects == [.loadOverview(try CPRNumber("2509479989"), refresh: false)])
        #expect(model.screen == .overview)
        #expect(model.loading)
        #expect(model.search.input.isEmpty)
    }

    /// Ctrl-U clears the field and Ctrl-W removes the last word, in the search field, the filter and the command
    /// line alike, as in a shell.
    @Test func ctrlUClearsAndCtrlWRemovesAWordInEveryField() {
        var model = AppFixtures.model()
        _ = press(type("bruno test elm"), &model)
        _ = press([.control("w")], &model)
        #expect(model.search.input == "bruno test ")
        _ = press([.control("w")], &model)
        #expect(model.search.input == "bruno ")
        _ = press([.control("u")], &model)
        #expect(model.search.input.isEmpty)
        #expect(model.screen == .search)

        _ = press([.character(":")] + type("tidslinje x"), &model)
        _ = press([.control("w")], &model)
        #expect(model.command == "tidslinje ")
        _ = press([.control("u")], &model)
        #expect(model.command == "")
        _ = press([.escape], &model)
        #expect(model.command == nil)
    }

    /// A window too small for the screens says so in full, wrapped to its width, in the user's language.
    @Test(arguments: [
        (Language.da, "Terminalen er for lille (mindst 40x10)"), (.en, "The terminal is too small (at least 40x10)"),
    ])
    func aTooSmallWindowShowsTheWholeMessage(language: Language, message: String) {
        for (width, height) in [(20, 6), (39, 24), (80, 9)] {
            let screen = View.render(AppFixtures.model(language, width: width, height: height))
            let shown = screen.lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            #expect(shown.joined(separator: " ") == message, "\(width)x\(height):\n\(screen.text)")
        }
    }

    @Test func aWrongCPRGetsAMessageNotACrash() {
        var model = AppFixtures.model()
        let effects = press(type("3213479989") + [.enter], &model)
        #expect(effects.isEmpty)
        #expect(model.screen == .search)
        #expect(model.toast?.contains("Ugyldigt CPR-nummer") == true)
    }

    @Test func aNameSearchesAllSources() {
        var model = AppFixtures.model()
        #expect(press(type("Bru") + [.enter], &model) == [.searchByName("Bru")])
        _ = Update.update(
            &model,
            .matchesLoaded(
                query: "Bru",
                [PatientMatch(cpr: try! CPRNumber("2509479989"), name: "Bruno Test Elmer", birthDate: nil, sources: ["gp"])]))
        #expect(model.searchEntries.count == 1)
        #expect(press([.enter], &model) == [.loadOverview(try! CPRNumber("2509479989"), refresh: false)])
    }

    @Test func matchesLeftOutForLackOfAccessAreShownInTheUsersLanguage() {
        for (language, words) in [(Language.da, "2 poster om patienter"), (.en, "2 entries about patients")] {
            var model = AppFixtures.model(language)
            _ = press(type("Bruno") + [.enter], &model)
            let note = Phrase.translated(
                danish: "Hospital: 2 poster om patienter uden aktuel behandlingsrelation er udeladt",
                english: "Hospital: 2 entries about patients without a current care relationship are left out")
            _ = Update.update(&model, .matchesLoaded(query: "Bruno", [], leftOut: [note]))
            let screen = View.render(model).text
            #expect(screen.contains(words), "\(screen)")
        }
    }

    @Test func everyLetterIsTypedOnTheSearchScreenEvenFirst() {
        // Names beginning with a key's letter (k moves up, j down, n opens notifications elsewhere) are typed as is.
        for name in ["karen", "jens", "nancy", "Quist", "gitte", "Rasmus", " "] {
            var model = AppFixtures.model()
            _ = press(type(name), &model)
            #expect(model.search.input == name, "\(name)")
            #expect(model.screen == .search && !model.quit, "\(name)")
        }
    }

    @Test func onTheSearchScreenQuitAndNotificationsAreCtrlCAndCommands() {
        var model = AppFixtures.model()
        _ = press(type("Quist"), &model)
        _ = press([.escape], &model)
        #expect(model.search.input.isEmpty)
        _ = press(type(":n") + [.enter], &model)
        #expect(model.screen == .notifications)
        _ = press([.escape], &model)
        #expect(model.screen == .search)
        #expect(press([.function(5)], &model) == [.loadBoard])
        #expect(press(type(":q") + [.enter], &model) == [.quit])
        var other = AppFixtures.model()
        #expect(press([.control("c")], &other) == [.quit])
    }

    @Test func theBoardOpensAPatientWithEnter() {
        var model = AppFixtures.model()
        #expect(!model.search.board.isEmpty)
        _ = press([.down], &model)
        let effects = press([.enter], &model)
        #expect(effects == [.loadOverview(model.search.board[1].cpr, refresh: false)])
    }

    @Test func panesTabsNumbersAndBack() {
        var model = AppFixtures.bruno()
        #expect(model.sections.pane == .conditions)
        _ = press([.tab], &model)
        #expect(model.sections.pane == .encounters)
        _ = press([.backTab, .backTab], &model)
        #expect(model.sections.pane == .vaccinations)
        _ = press([.character("9")], &model)
        #expect(model.sections.pane == .vaccinations)
        _ = press([.character("6")], &model)
        #expect(model.sections.pane == .labs)
        _ = press([.down, .down, .enter], &model)
        #expect(model.screen == .detail)
        #expect(model.detail.content?.id == model.paneItems(.labs)[2].id)
        _ = press([.escape], &model)
        #expect(model.screen == .overview)
        _ = press([.escape], &model)
        #expect(model.screen == .search)
    }

    @Test func typeAheadBeforeTheOverviewArrivesIsSafe() {
        var model = AppFixtures.model()
        _ = press(type("2509479989") + [.enter, .character("4"), .down, .down, .down, .character("G"), .enter], &model)
        #expect(model.sections.pane == .homeCare)
        #expect(model.screen == .overview, "nothing to open yet")
        _ = Update.update(&model, .overviewLoaded(AppFixtures.overview("2509479989"), complete: true))
        _ = press([.enter], &model)
        #expect(model.screen == .detail)
    }

    @Test func anOverviewForAnotherPatientIsIgnored() {
        var model = AppFixtures.bruno()
        let before = model.overview?.cpr
        _ = Update.update(&model, .overviewLoaded(AppFixtures.overview("2512489996"), complete: true))
        #expect(model.overview?.cpr == before)
    }

    @Test func escFromADetailOfAFilteredListKeepsTheListAndItsSelection() {
        var model = AppFixtures.bruno()
        _ = press([.character("4"), .character("/")] + type("vægt") + [.enter, .down, .down], &model)
        let chosen = model.paneItems()[2].id
        _ = press([.enter], &model)
        #expect(model.screen == .detail)
        _ = press([.escape], &model)
        #expect(model.screen == .overview && model.filterText == "vægt", "back to the filtered list")
        #expect(model.paneItems()[model.sections.selection[model.sections.pane] ?? 0].id == chosen)
        _ = press([.escape], &model)
        #expect(model.filterText.isEmpty)
        #expect(
            model.paneItems()[model.sections.selection[model.sections.pane] ?? 0].id == chosen,
            "the same item, now in the whole list")
    }

    @Test func homeCareShowsTheGrantedServicesFirst() {
        let items = AppFixtures.bruno().overview?.section(.homeCare) ?? []
        let granted = items.prefix { $0.resourceType == "CarePlan" }
        #expect(!granted.isEmpty, "a nurse looks for the granted services first")
        #expect(!items.dropFirst(granted.count).contains { $0.resourceType == "CarePlan" })
    }

    @Test func filterNarrowsAnyList() {
        var model = AppFixtures.bruno()
        _ = press([.character("4"), .character("/")] + type("vægt") + [.enter], &model)
        let items = model.paneItems()
        #expect(!items.isEmpty)
        let words = Strings.for(.da)
        #expect(
            items.allSatisfy {
                words.text($0.title).lowercased().contains("vægt") || (words.text($0.detail) ?? "").lowercased().contains("vægt")
            })
        _ = press([.escape], &model)
        #expect(model.filterText.isEmpty)
        #expect(model.screen == .overview, "Esc first clears the filter")
    }

    @Test func commandLineWithPrefixes() throws {
        var model = AppFixtures.bruno()
        _ = press([.character(":")] + type("tid") + [.enter], &model)
        #expect(model.screen == .timeline)
        _ = press([.character(":")] + type("lab") + [.enter], &model)
        #expect(model.screen == .trends)
        #expect(
            press([.character(":")] + type("p 2512489996") + [.enter], &model) == [
                .loadOverview(try CPRNumber("2512489996"), refresh: false)
            ])
        _ = press([.character(":")] + type("no-such") + [.enter], &model)
        #expect(model.toast?.contains("Ukendt kommando") == true)
        _ = press([.character(":")] + type("q") + [.enter], &model)
        #expect(model.quit)
    }

    /// `:fravalg` is the citizen's choice on secondary use (EHDS art. 71): asked, set, withdrawn; said in a toast; and
    /// nobody else has it.
    @Test func aCitizenOptsOutOfResearchByCommand() {
        var model = AppFixtures.bruno()
        model.viaGateway = true
        model.role = "ed-doctor"
        #expect(press([.character(":")] + type("fravalg ja") + [.enter], &model).isEmpty)
        #expect(model.toast?.contains("Kun borgeren selv") == true, "\(model.toast ?? "-")")
        model.role = "citizen"
        #expect(press([.character(":")] + type("fravalg") + [.enter], &model) == [.researchOptOut(nil)])
        #expect(press([.character(":")] + type("fravalg ja") + [.enter], &model) == [.researchOptOut(true)])
        #expect(press([.character(":")] + type("opt-out no") + [.enter], &model) == [.researchOptOut(false)])
        #expect(press([.character(":")] + type("fravalg måske") + [.enter], &model).isEmpty)
        #expect(model.toast?.contains(":fravalg ja") == true, "\(model.toast ?? "-")")
        _ = Update.update(&model, .researchOptOut(true, changed: true))
        #expect(model.toast?.hasPrefix("Fravalgt: dine data bruges ikke til forskning") == true, "\(model.toast ?? "-")")
        _ = Update.update(&model, .researchOptOut(false, changed: false))
        #expect(model.toast?.contains("kan bruges pseudonymiseret") == true, "\(model.toast ?? "-")")
        _ = Update.update(&model, .researchOptOutFailed(.verbatim("kilden svarer ikke")))
        #expect(model.toast?.contains("kunne ikke læses eller gemmes: kilden svarer ikke") == true, "\(model.toast ?? "-")")
    }

    /// `:vacc` (or `9`) shows the vaccinations from the register, from any screen over the patient's overview.
    @Test func vaccinationsByCommandFromAnywhere() {
        var model = AppFixtures.bruno()
        _ = press([.character("t")], &model)
        #expect(model.screen == .timeline)
        _ = press([.character(":")] + type("vacc") + [.enter], &model)
        #expect(model.screen == .overview)
        #expect(model.sections.pane == .vaccinations)
        let text = View.render(model).text
        #expect(text.contains("Vaccinationer") && text.contains("Influenzavaccine (J07BB02)"), "\(text)")
        #expect(text.contains("NSP"), "\(text)")
    }

    @Test func timelineFilters() {
        var model = AppFixtures.bruno()
        _ = press([.character("t")], &model)
        let all = model.timelineItems.count
        _ = press([.character("s")], &model)
        #expect(model.timeline.sector == .hospital)
        #expect(model.timelineItems.allSatisfy { $0.sources.contains { $0.sector == .hospital } })
        _ = press([.character("s"), .character("s"), .character("s")], &model)
        #expect(model.timeline.sector == .national)
        #expect(model.timelineItems.contains { $0.section == .vaccinations })
        _ = press([.character("s")], &model)
        #expect(model.timeline.sector == nil)
        _ = press([.character("p"), .character("p")], &model)
        #expect(model.timeline.period == .quarter)
        #expect(model.timelineItems.count < all)
        _ = press([.character("y")], &model)
        #expect(model.timeline.type == .conditions)
    }

    @Test func refreshAsksTheSourcesAgain() throws {
        var model = AppFixtures.bruno()
        #expect(press([.character("r")], &model) == [.loadOverview(try CPRNumber("2509479989"), refresh: true)])
        #expect(model.toast != nil)
    }

    @Test func toastsGoAway() {
        var model = AppFixtures.model()
        _ = press(type("123") + [.enter], &model)
        #expect(model.toast != nil)
        _ = Update.update(&model, .tick(AppFixtures.now.addingTimeInterval(10)))
        #expect(model.toast == nil)
    }

    @Test func helpIsGeneratedFromTheKeymap() {
        var model = AppFixtures.bruno(width: 120, height: 60)
        _ = press([.character("?")], &model)
        let text = View.render(model).text
        for binding in Keymap.standard.bindings where binding.screens.isEmpty || binding.screens.contains(.overview) {
            #expect(text.contains(binding.action.describe(model.strings)), "\(binding.action)")
        }
    }
}

/// Live notifications from the event stream, as the user sees them.
@Suite struct NotificationUpdateTests {
    let bruno = try! CPRNumber("2509479989")

    @Test func anArrivalShowsAtOnceAsAToastAndInTheList() throws {
        var model = AppFixtures.model()
        // Someone on the ED board: the name is known at once.
        let someone = try #require(AppFixtures.board.first)
        let effects = Update.update(
            &model, .stream(.notification(AppFixtures.event(someone.cpr.value, code: "STAA", number: 1))))
        #expect(model.toast == "14:32 \(someone.name) (\(someone.cpr.formatted)) er ankommet til akutmodtagelsen, Herlev")
        #expect(model.notifications.log.count == 1)
        #expect(effects.contains(.invalidate(someone.cpr, source: "hospital")))
        #expect(effects.contains(.loadBoard))
        #expect(!effects.contains { if case .lookupName = $0 { return true } else { return false } })
    }

    /// A line too long for the window keeps its time and says it was cut, in the list and in the toast.
    @Test func aLongNotificationKeepsItsTimeAndEndsInAnEllipsis() throws {
        var model = AppFixtures.model()
        let cpr = try CPRNumber("0811459990")
        _ = Update.update(&model, .stream(.notification(AppFixtures.event(cpr.value, code: "RE_STAA", number: 1))))
        _ = Update.update(
            &model,
            .patientNamed(cpr, "Anne-Sophie Marie-Louise Henriette Test Kjærgaard-Østergaard Brøndum-Mikkelsen"))
        for key: Key in [.character(":"), .character("n"), .enter] { _ = Update.update(&model, .key(key)) }
        let lines = View.render(model).lines
        let row = try #require(lines.first { $0.contains("Anne-Sophie") }, "\(lines.joined(separator: "\n"))")
        #expect(row.hasPrefix("│ 14:32 Rettelse: Anne-Sophie"), "\(row)")
        #expect(row.hasSuffix("…│"), "\(row)")
        let bottom = try #require(lines.last)
        if model.toast != nil {
            #expect(bottom.hasPrefix(" 14:32 Rettelse:"), "\(bottom)")
            #expect(bottom.trimmingCharacters(in: .whitespaces).hasSuffix("…"), "\(bottom)")
        }
    }

    @Test func anOpenOverviewOfThePatientReloadsAfterTheCacheIsForgotten() {
        var model = AppFixtures.bruno()
        let effects = Update.update(&model, .stream(.notification(AppFixtures.event("2509479989", code: "STIN", number: 1))))
        let invalidate = effects.firstIndex(of: .invalidate(bruno, source: "hospital"))
        let reload = effects.firstIndex(of: .loadOverview(bruno, refresh: false))
        #expect(invalidate != nil && reload != nil && invalidate! < reload!)
        #expect(model.toast?.hasPrefix("14:32 Bruno Test Elmer (250947-9989) er indlagt på akutmodtagelsen, Herlev") == true)
    }

    @Test func anUnknownPatientIsNamedWhenTheLookupAnswers() throws {
        var model = AppFixtures.model()
        let nancy = try CPRNumber("2512489996")
        let effects = Update.update(&model, .stream(.notification(AppFixtures.event("2512489996", code: "AN_STAA", number: 1))))
        #expect(effects.contains(.lookupName(nancy)))
        #expect(model.toast == "14:32 Annulleret: (251248-9996) er ankommet til akutmodtagelsen, Herlev")
        _ = Update.update(&model, .patientNamed(nancy, "Nancy Ann Test Berggren"))
        #expect(model.toast == "14:32 Annulleret: Nancy Ann Test Berggren (251248-9996) er ankommet til akutmodtagelsen, Herlev")
        #expect(model.notifications.log[0].name == "Nancy Ann Test Berggren")
    }

    @Test func enterOnANotificationOpensThePatient() {
        var model = AppFixtures.model()
        _ = Update.update(&model, .stream(.notification(AppFixtures.event("2509479989", code: "STAA", number: 1))))
        for key in ":n" { _ = Update.update(&model, .key(.character(key))) }
        _ = Update.update(&model, .key(.enter))
        #expect(model.screen == .notifications)
        let effects = Update.update(&model, .key(.enter))
        #expect(model.screen == .overview)
        #expect(effects.contains(.loadOverview(bruno, refresh: false)))
    }

    @Test func theConnectionIndicatorSaysHowTheStreamStands() {
        var model = AppFixtures.model()
        #expect(!View.render(model).text.split(separator: "\n")[0].contains("live"))
        for (state, word) in [
            (ConnectionState.live, "live"), (.reconnecting(attempt: 2), "genforbinder"), (.offline(.verbatim("nede")), "offline"),
        ] {
            _ = Update.update(&model, .stream(.state(state)))
            #expect(View.render(model).text.split(separator: "\n")[0].hasSuffix(word + " "))
        }
    }

    @Test func inEnglishTheSentenceIsEnglish() {
        var model = AppFixtures.bruno(.en)
        _ = Update.update(&model, .stream(.notification(AppFixtures.event("2509479989", code: "SLHJ", number: 1))))
        #expect(model.toast == "14:32 Bruno Test Elmer (250947-9989) discharged from akutmodtagelsen, Herlev")
    }

    @Test func theBoardOnScreenRefreshesItselfEveryHalfMinute() {
        var model = AppFixtures.model()
        let now = AppFixtures.now
        _ = Update.update(&model, .boardLoaded(AppFixtures.board, at: now))
        #expect(Update.update(&model, .tick(now.addingTimeInterval(10))).isEmpty)
        #expect(Update.update(&model, .tick(now.addingTimeInterval(31))) == [.loadBoard])
        // Not again while it is loading.
        #expect(Update.update(&model, .tick(now.addingTimeInterval(32))).isEmpty)
    }
}

/// A list with nothing in it never reads as "none" while a source is missing (refused, withheld, down): the list
/// says which, and its title too, on the overview, the timeline, the trends and in plain text.
@Suite struct MissingSourceTests {
    func brunoWithHisGPWithheld(_ keys: [Key]) -> String {
        var model = AppFixtures.model()
        model.viaGateway = true
        for key in "2509479989".map({ Key.character($0) }) + [.enter] { _ = Update.update(&model, .key(key)) }
        let overview = AppFixtures.overview("2509479989", states: ["gp": .withheld])
        _ = Update.update(&model, .overviewLoaded(overview, complete: true))
        for key in keys { _ = Update.update(&model, .key(key)) }
        return View.render(model).text
    }

    @Test func anEmptySectionNamesTheMissingSource() {
        // Bruno's appointments are at his GP only: with the GP's data withheld, the section is empty.
        let appointments = brunoWithHisGPWithheld([.character("3")])
        #expect(appointments.contains("Aftaler  mangler: LÆGE tilbageholdt"), "\(appointments)")
        #expect(appointments.contains("Ingen fra de kilder der svarede; mangler: LÆGE tilbageholdt"), "\(appointments)")
        #expect(!appointments.contains("│ Ingen" + String(repeating: " ", count: 10)), "\(appointments)")
        // His medication is on the medication card too: the block on GP data leaves it, and says what is missing.
        let medication = brunoWithHisGPWithheld([.character("5")])
        #expect(medication.contains("Medicin  mangler: LÆGE tilbageholdt"), "\(medication)")
        #expect(medication.contains("Furosemid (C03CA01)"), "\(medication)")
        #expect(medication.contains("NSP"), "\(medication)")
        // A section with items says it too: the GP's part of the history is not there.
        #expect(brunoWithHisGPWithheld([]).contains("Sygehistorik  mangler: LÆGE tilbageholdt"))
    }

    @Test func theTimelineFilteredToTheMissingSectorSaysSo() {
        let timeline = brunoWithHisGPWithheld([.character("t"), .character("s"), .character("s")])
        #expect(timeline.contains("sektor: almen praksis"), "\(timeline)")
        #expect(timeline.contains("Ingen fra de kilder der svarede; mangler: LÆGE tilbageholdt"), "\(timeline)")
    }

    @Test func everySourceAnsweringIsPlainNone() {
        var model = AppFixtures.model()
        for key in "2509479989".map({ Key.character($0) }) + [.enter] { _ = Update.update(&model, .key(key)) }
        _ = Update.update(&model, .overviewLoaded(AppFixtures.overview("2509479989"), complete: true))
        let text = View.render(model).text
        #expect(!text.contains("mangler"), "\(text)")
    }

    @Test func plainTextSaysWhatIsMissing() {
        let overview = AppFixtures.overview("2509479989", states: ["gp": .withheld])
        let text = PlainOverviewRenderer().render(overview, now: AppFixtures.now)
        #expect(text.contains("Aftaler, 0 punkter:\n- Ingen fra de kilder der svarede; mangler: LÆGE tilbageholdt."), "\(text)")
        #expect(text.contains("Furosemid (C03CA01)"), "\(text)")
    }
}

/// Emergency access (værdispring) is offered to clinicians only: a citizen refused someone else's data is told why,
/// and neither `!` nor `:værdispring` asks the gateway for it.
@Suite struct EmergencyAccessOfferTests {
    func refused(role: String) -> Model {
        var model = AppFixtures.model()
        model.viaGateway = true
        model.role = role
        for key in "2509479989".map({ Key.character($0) }) + [.enter] { _ = Update.update(&model, .key(key)) }
        let states: [String: SourceStatus.State] = [
            "hospital": .denied, "gp": .denied, "municipality": .denied, "nsp": .denied,
        ]
        _ = Update.update(&model, .overviewLoaded(AppFixtures.overview("2509479989", states: states), complete: true))
        return model
    }

    @Test func aClinicianIsOfferedItWithTheReasonLogged() {
        var model = refused(role: "doctor")
        let text = View.render(model).text
        #expect(text.contains("tryk ! for værdispring"), "\(text)")
        #expect(text.contains("! værdispring"), "\(text)")
        _ = Update.update(&model, .key(.character("!")))
        #expect(model.command == "værdispring ")
    }

    @Test func aCitizenIsNotOfferedItAndCannotAskForIt() {
        var model = refused(role: "citizen")
        let text = View.render(model).text
        #expect(text.contains("Ingen adgang"), "\(text)")
        // (The fixture's refusal is the clinicians' one; the gateway tells a citizen "only your own data".)
        #expect(!text.contains("tryk !") && !text.contains("! værdispring"), "\(text)")
        _ = Update.update(&model, .key(.character("!")))
        #expect(model.command == nil)
        #expect(model.toast?.contains("Værdispring er for klinikere") == true)
        var effects: [Effect] = []
        for key in ":værdispring jeg vil se det".map({ Key.character($0) }) + [.enter] {
            effects += Update.update(&model, .key(key))
        }
        #expect(!effects.contains { if case .grantEmergency = $0 { true } else { false } }, "\(effects)")
        #expect(!model.emergencyCPRs.contains(try! CPRNumber("2509479989")))
    }
}

/// One entry of the access log opened: whose data, who, why, and which data in words, under its own title.
@Suite struct AccessLogDetailTests {
    @Test func anEntrySaysWhosePatientAndWhichDataInWords() {
        var model = AppFixtures.model()
        model.viaGateway = true
        for key in ":log".map({ Key.character($0) }) + [.enter] { _ = Update.update(&model, .key(key)) }
        _ = Update.update(&model, .accessLogLoaded(AppFixtures.accessLog))
        #expect(View.render(model).text.contains("Min log: hvem har set mine data"))
        _ = Update.update(&model, .key(.enter))
        let text = View.render(model).text
        #expect(text.contains("Logpost"), "\(text)")
        #expect(text.contains("Patient: CPR 250947-9989"), "\(text)")
        #expect(text.contains("Data: sygehistorik, hospitalskontakter"), "\(text)")
        #expect(!text.contains("Epikriser"), "\(text)")
    }

    @Test func logFollowUpSeesTheAccessLogNotMyLog() {
        var model = AppFixtures.model()
        model.viaGateway = true
        model.role = "log-auditor"
        for key in ":log".map({ Key.character($0) }) + [.enter] { _ = Update.update(&model, .key(key)) }
        _ = Update.update(&model, .accessLogLoaded(AppFixtures.accessLog))
        let text = View.render(model).text
        #expect(text.contains("Adgangsloggen: opslag til opfølgning") && !text.contains("Min log"), "\(text)")
    }

    /// Log follow-up's work is the log: the program opens on it (and starts fetching it), not on a patient search
    /// she cannot use; a clinician starts on the search with the ED board, or on the patient asked for.
    @Test func logFollowUpStartsOnTheAccessLog() throws {
        var auditor = AppFixtures.model()
        auditor.boardEnabled = false
        auditor.viaGateway = true
        auditor.role = "log-auditor"
        #expect(Update.start(&auditor, initialCPR: nil) == [.loadAccessLog])
        #expect(auditor.screen == .accessLog)

        var doctor = AppFixtures.model()
        doctor.role = "ed-doctor"
        #expect(Update.start(&doctor, initialCPR: nil) == [.loadBoard])
        #expect(doctor.screen == .search)
        let cpr = try CPRNumber("2509479989")
        #expect(Update.start(&doctor, initialCPR: cpr) == [.loadBoard, .loadOverview(cpr, refresh: false)])
        #expect(doctor.screen == .overview)
    }
}

@Suite struct BoardWordingTests {
    @Test func anEmptyBoardThroughTheGatewaySaysItHoldsYourPatientsOnly() {
        var model = AppFixtures.model()
        model.viaGateway = true
        _ = Update.update(&model, .boardLoaded([], at: model.now))
        let text = View.render(model).text
        #expect(text.contains("Ingen patienter du har adgang til i akutmodtagelsen lige nu"), "\(text)")
    }

    @Test func aBoardFetchedJustAfterTheLastTickIsNotMinusOneSecondOld() {
        var model = AppFixtures.model()
        _ = Update.update(&model, .boardLoaded(model.search.board, at: model.now.addingTimeInterval(0.8)))
        let text = View.render(model).text
        #expect(text.contains("hentet for 0 s siden") && !text.contains("-1 s"), "\(text)")
    }
}
