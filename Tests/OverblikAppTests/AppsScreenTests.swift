import FHIR
import Foundation
import Terminal
import Testing
import Words

@testable import Federation
@testable import OverblikApp

/// The app cloud's screen (`A`, `:apps`) as a user at the keyboard meets it.
@Suite struct AppsScreenTests {
    let bruno = try! CPRNumber("2509479989")

    func press(_ keys: [Key], _ model: inout Model) -> [Effect] {
        keys.flatMap { Update.update(&model, .key($0)) }
    }

    @Test func aOrAppsShowsTheCatalogueAndWhichAppsReadTheOpenPatient() throws {
        var model = AppFixtures.bruno()
        model.viaGateway = true
        #expect(press([.character("A")], &model) == [.loadApps(bruno)])
        #expect(model.screen == .apps)
        #expect(View.render(model).text.contains("Henter appkataloget"), "it says it is fetching, at once")
        _ = Update.update(&model, .appsLoaded(AppFixtures.appListings, reads: AppFixtures.appReads, readsNote: nil))
        let text = View.render(model).text
        #expect(text.contains("RemindMe  for Lægehuset Herlev Bygade"), "\(text)")
        #expect(text.contains("VaxView"))
        #expect(!text.contains("Hanne Østergaard"), "a read without an app is not an app's read")
        // r fetches again; Esc goes back; the command line opens it in Danish or English words.
        #expect(press([.character("r")], &model) == [.loadApps(bruno)])
        _ = press([.escape], &model)
        #expect(model.screen == .overview)
        for command in ["apps", "appstore", "apper"] {
            _ = press([.escape], &model)
            #expect(press([.character(":")] + command.map { .character($0) } + [.enter], &model) == [.loadApps(bruno)])
            #expect(model.screen == .apps)
        }
    }

    @Test func withoutAPatientOrTheRightToTheLogItSaysSo() throws {
        var model = AppFixtures.model()
        #expect(
            press([.character(":"), .character("a"), .character("p"), .character("p"), .character("s"), .enter], &model) == [
                .loadApps(nil)
            ])
        _ = Update.update(&model, .appsLoaded(AppFixtures.appListings, reads: nil, readsNote: nil))
        #expect(!View.render(model).text.contains("Apps der har læst"), "no patient, no reads")
        var clinician = AppFixtures.bruno()
        _ = press([.character("A")], &clinician)
        _ = Update.update(
            &clinician, .appsLoaded(AppFixtures.appListings, reads: nil, readsNote: Phrase("apps.reads-not-yours")))
        #expect(View.render(clinician).text.contains("ser kun borgeren selv"))
        _ = Update.update(&clinician, .appsFailed(Phrase("apps.gateway-only")))
        #expect(View.render(clinician).text.contains("kun gennem SundhedsCloud-gatewayen"))
    }

    @Test func enterStartsTheAppUnderTheCursorOnTheOpenPatientAndShowsWhereToOpenIt() throws {
        var model = AppFixtures.bruno()
        model.viaGateway = true
        _ = press([.character("A")], &model)
        _ = Update.update(&model, .appsLoaded(AppFixtures.appListings, reads: AppFixtures.appReads, readsNote: nil))
        // The cursor starts on the first app; a backend service is not started from a terminal.
        _ = press([.down], &model)
        #expect(press([.enter], &model) == [], "RemindMe is a backend service")
        #expect(View.render(model).text.contains("RemindMe er en backend-tjeneste"))
        _ = press([.up], &model)
        #expect(press([.enter], &model) == [.launchApp(clientID: "vaxview", bruno)])
        #expect(View.render(model).text.contains("Starter VaxView for 250947-9989"), "\(View.render(model).text)")
        // An answer for another app (started before, answered late) is not this one's.
        _ = Update.update(
            &model, .appLaunched(AppLaunch(clientID: "remindme", cpr: bruno.value, launchID: "x", url: "https://late.example")))
        #expect(!View.render(model).text.contains("late.example"))
        let url = "https://vaxview.example/launch?launch=q1w2e3&iss=https%3A%2F%2Fgw.example"
        _ = Update.update(&model, .appLaunched(AppLaunch(clientID: "vaxview", cpr: bruno.value, launchID: "q1w2e3", url: url)))
        let text = View.render(model).text
        #expect(text.contains("VaxView er startet for 250947-9989"), "\(text)")
        #expect(text.contains(url), "the whole address, to open or copy: \(text)")
        #expect(text.contains("gælder én gang, i 5 minutter"))
        // Refused by the gateway (not installed for the user's organisation): its words, in place of the address.
        _ = press([.enter], &model)
        _ = Update.update(
            &model, .appLaunchFailed(clientID: "vaxview", .verbatim("VaxView er ikke installeret for Akutmodtagelsen")))
        let refused = View.render(model).text
        #expect(refused.contains("VaxView er ikke installeret for Akutmodtagelsen"))
        #expect(!refused.contains(url))
    }

    @Test func withoutAPatientNoAppIsStartedAndTheCursorKeepsTheChosenAppInView() throws {
        var model = AppFixtures.model()
        _ = press([.character(":"), .character("a"), .character("p"), .character("p"), .character("s"), .enter], &model)
        _ = Update.update(&model, .appsLoaded(AppFixtures.appListings, reads: nil, readsNote: nil))
        #expect(press([.enter], &model) == [])
        #expect(View.render(model).text.contains("Åbn en patient først"))
        // Many apps at 80x24: moving to the last one scrolls it into view.
        var many = AppFixtures.bruno()
        _ = press([.character("A")], &many)
        let listings = (1...30).map { n in
            AppListing(
                clientID: "app-\(n)", name: "Testapp \(n)", vendor: "Leverandør \(n)", kind: "web-app", status: "approved",
                scopes: ["patient/Observation.rs"])
        }
        _ = Update.update(&many, .appsLoaded(listings, reads: [], readsNote: nil))
        #expect(!View.render(many).text.contains("Testapp 30 "))
        _ = press([.character("G")], &many)
        #expect(View.render(many).text.contains("Testapp 30 "))
        #expect(press([.enter], &many) == [.launchApp(clientID: "app-30", bruno)])
        // What was started stays at the top, above the app under the cursor, however far down the list it is.
        let url = "https://app30.example/launch?launch=l30&iss=https%3A%2F%2Fgw.example"
        _ = Update.update(&many, .appLaunched(AppLaunch(clientID: "app-30", cpr: bruno.value, launchID: "l30", url: url)))
        let text = View.render(many).text
        #expect(text.contains(url) && text.contains("Testapp 30 "), "\(text)")
    }
}
