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
}
