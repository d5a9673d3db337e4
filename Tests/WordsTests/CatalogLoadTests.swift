import Foundation
import Testing

@testable import Words

@Suite struct CatalogLoadTests {
    @Test func theBundledCatalogsLoad() throws {
        try Catalog.checkBundled()
        #expect(Catalog.danish.text("app.name") == "Overblik")
    }
}
