import BurrowCore
import BurrowTUI
import Testing
import TerminalUI

@Suite struct ViewTests {
    @Test func headerTablesDetailAndLogAreDrawn() {
        var state = Fixtures.state()
        _ = Reducer.reduce(&state, .engineEvent(.online(mapping: "web", url: PublicURL(scheme: "http", host: "web.localhost", port: 8080),
                                                        local: LocalAddress(port: 3000)), at: Fixtures.now))
        let screen = Fixtures.draw(state)
        let text = screen.text
        #expect(screen.line(0).contains("embedded relay on 127.0.0.1:8080"))
        #expect(screen.line(0).contains("● online"))
        #expect(screen.line(0).contains("rtt 0.4 ms"))
        #expect(screen.line(0).contains("up 3m12s"))
        #expect(screen.line(0).contains("v0.1.0"))
        #expect(text.contains("NAME"))
        #expect(text.contains("PUBLIC URL"))
        #expect(text.contains("http://web.localhost:8080"))
        #expect(text.contains("1/12"))
        #expect(text.contains("1.2K/34K"))
        #expect(text.contains("disabled"))
        #expect(text.contains("total 12"))
        #expect(text.contains("127.0.0.1:53412"))
        #expect(text.contains("GET  200 /index.html"))
        #expect(text.contains("POST 503 /api/login"))
        #expect(text.contains("web  http://web.localhost:8080 -> 127.0.0.1:3000"))
    }

    @Test func rolesColourTheCells() throws {
        let screen = Fixtures.draw(Fixtures.state())
        let status = try #require(screen.find("503"))
        #expect(screen.style(x: status.x, y: status.y).role == "status.5xx")
        #expect(screen.style(x: status.x, y: status.y).foreground == .rgb(0xff, 0x5f, 0x5f))
        let ok = try #require(screen.find("200 /index"))
        #expect(screen.style(x: ok.x, y: ok.y).role == "status.2xx")
        let online = try #require(screen.find("● online"))
        #expect(screen.style(x: online.x, y: online.y).role == "online")
        // The selected row has the selection background; the disabled one is dim.
        let web = try #require(screen.find("web "))
        #expect(screen.style(x: web.x, y: web.y).background == Theme.builtInDefault.color(.selection))
        let db = try #require(screen.find("db "))
        #expect(screen.style(x: db.x, y: db.y).dim)
    }

    @Test func monochromeUsesReverseVideoForTheSelection() throws {
        let screen = Fixtures.draw(Fixtures.state(), theme: .monochrome, colors: 0)
        let web = try #require(screen.find("web "))
        #expect(screen.style(x: web.x, y: web.y).reverse)
        #expect(screen.style(x: web.x, y: web.y).foreground == .terminalDefault)
    }

    @Test func longURLsAreTruncatedWithAnEllipsis() throws {
        var state = Fixtures.state(columns: 80, rows: 24)
        var snapshot = Fixtures.snapshot
        let long = String(repeating: "x", count: 60)
        snapshot.mappings[0].publicURL = PublicURL(scheme: "http", host: "\(long).localhost", port: 8080)
        _ = Reducer.reduce(&state, .snapshot(snapshot))
        let screen = Fixtures.draw(state)
        let row = try #require(screen.find("web "))
        let line = screen.line(row.y)
        #expect(line.contains("http://xxxx"))
        #expect(line.contains("…"))
        #expect(!line.contains(".localhost:8080"))
        #expect(TextWidth.of(line) == 80)
    }

    @Test func tooSmallSaysSo() {
        let screen = Fixtures.draw(Fixtures.state(columns: 79, rows: 24))
        #expect(screen.text.contains("terminal too small (need 80×24)"))
        let short = Fixtures.draw(Fixtures.state(columns: 120, rows: 20))
        #expect(short.text.contains("terminal too small (need 80×24)"))
    }

    @Test func fitsAt80x24() {
        let screen = Fixtures.draw(Fixtures.state(columns: 80, rows: 24))
        #expect(screen.text.contains("http://web.localhost:8080"))
        #expect(screen.line(23).contains("a add"))
        #expect(screen.line(23).contains("q quit") || screen.line(23).contains("? help"))
    }

    @Test func keyBarAndHelpComeFromTheBindingTable() {
        var state = Fixtures.state(columns: 120, rows: 40)
        let bar = Fixtures.draw(state).line(39)
        for binding in KeyBindings.main where binding.shownInBar {
            #expect(bar.contains("\(binding.keys[0]) \(binding.label)"), "key bar lacks \(binding.label)")
        }
        _ = Fixtures.press(&state, .char("?"))
        let help = Fixtures.draw(state).text
        for binding in KeyBindings.main where binding.shownInHelp {
            #expect(help.contains(binding.description), "help lacks \(binding.description)")
        }
        _ = Fixtures.press(&state, .escape)
        #expect(state.modal == nil)
    }

    @Test func helpFitsAt80x24InTwoColumns() {
        var state = Fixtures.state(columns: 80, rows: 24)
        _ = Fixtures.press(&state, .char("?"))
        let help = Fixtures.draw(state).text
        for binding in KeyBindings.main where binding.shownInHelp {
            #expect(help.contains(binding.keyText), "help at 80×24 lacks \(binding.keyText)")
        }
    }

    @Test func formShowsErrorsUnderFields() {
        var state = Fixtures.state()
        _ = Fixtures.press(&state, .char("a"))
        Fixtures.type(&state, "abc")
        let text = Fixtures.draw(state).text
        #expect(text.contains("Add mapping"))
        #expect(text.contains("invalid port 'abc': use a number from 1 to 65535"))
    }

    @Test func emptyTableInvitesToAdd() {
        var state = AppState(size: TerminalSize(columns: 100, rows: 30), now: Fixtures.now)
        _ = Reducer.reduce(&state, .tick(Fixtures.now))
        let text = Fixtures.draw(state).text
        #expect(text.contains("no mappings yet: press a to add one"))
        #expect(text.contains("embedded relay on 127.0.0.1"))
        #expect(text.contains("idle: no enabled mappings"))
    }

    @Test func reconnectingShowsTheCountdown() {
        var state = Fixtures.state()
        var snapshot = Fixtures.snapshot
        snapshot.tunnels[0].state = .reconnecting(retryAt: Fixtures.now + 4.2, reason: "connection refused")
        _ = Reducer.reduce(&state, .snapshot(snapshot))
        let screen = Fixtures.draw(state)
        #expect(screen.line(0).contains("reconnecting in 5 s"))
    }

    @Test func sparklineScalesToItsPeak() {
        #expect(Sparkline.render([0, 1, 2, 4], width: 4) == "▁▃▅█")
        #expect(Sparkline.render([1], width: 3) == "  █")
        #expect(Sparkline.render(Array(repeating: 0, count: 60), width: 10) == String(repeating: "▁", count: 10))
    }
}

@Suite struct BothURLsViewTests {
    /// An http mapping on a relay that terminates https: the https URL first
    /// (the one `c` copies), the plain one beside it in the detail pane.
    @Test func theDetailPaneShowsTheHTTPSURLAndThePlainOne() {
        var state = Fixtures.state()
        var snapshot = Fixtures.snapshot
        snapshot.mappings[0].publicURL = PublicURL(scheme: "https", host: "web.localhost", port: 8443)
        snapshot.mappings[0].alsoURL = PublicURL(scheme: "http", host: "web.localhost", port: 8080)
        _ = Reducer.reduce(&state, .snapshot(snapshot))
        let text = Fixtures.draw(state).text
        #expect(text.contains("https://web.localhost:8443 (also http://web.localhost:8080)"))
        let effects = Fixtures.press(&state, .char("c"))
        #expect(effects.contains { "\($0)".contains("https://web.localhost:8443") }, "\(effects)")
    }
}

@Suite struct HTTPSStatusViewTests {
    /// Until its certificate exists an https mapping says so in the table;
    /// a failure is shown as an error; ready is plain online.
    @Test(arguments: [(HTTPSStatus.pending, "https pending"), (.failed(reason: "x"), "https failed"), (.ready, "online")])
    func theRowShowsWhereTheCertificateStands(status: HTTPSStatus, text: String) {
        var state = Fixtures.state()
        var snapshot = Fixtures.snapshot
        snapshot.mappings[0].https = status
        _ = Reducer.reduce(&state, .snapshot(snapshot))
        let screen = Fixtures.draw(state).text
        #expect(screen.contains(text), "\(screen)")
        if case .ready = status { #expect(!screen.contains("https pending") && !screen.contains("https failed")) }
    }
}
