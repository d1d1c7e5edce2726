import BurrowConfig
import BurrowCore
import BurrowTUI
import Foundation
import Testing
import TerminalUI

/// The form's `Plain http → https (308)` chooser: space turns it on, the
/// saved mapping carries `httpsRedirect`, and a tcp mapping cannot have it.
@Suite struct HTTPSRedirectFormTests {
    @Test func theFormSavesTheRedirect() throws {
        // Up from the protocol wraps to the last field, the redirect.
        let saved = try FormChooserFixture.save(togglingChooserAt: 2, labelled: "Plain http → https (308)")
        #expect(saved.httpsRedirect, "\(saved)")
    }

    @Test func aTCPMappingCannotRedirect() {
        var form = MappingForm(profiles: [], takenNames: [])
        form.httpsRedirect = true
        #expect(form.errors[.httpsRedirect] == nil)
        form.mappingProtocol = .tcp
        form.local = "5432"
        #expect(form.errors[.httpsRedirect] == "the https redirect applies to http mappings only")
        #expect(form.draft == nil)
    }
}
