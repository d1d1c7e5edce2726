import BurrowCore
import BurrowTUI
import Testing
import TerminalUI

@Suite struct ReducerTests {
    @Test func mappingsHaveFocusAtStartWithFirstRowSelected() {
        let state = Fixtures.state()
        #expect(state.focus == .mappings)
        #expect(state.mappingIndex == 0)
        #expect(state.selectedMapping?.mapping.name == "web")
    }

    @Test func arrowsAndVimKeysMoveAndClamp() {
        var state = Fixtures.state()
        _ = Fixtures.press(&state, .down)
        #expect(state.selectedMapping?.mapping.name == "db")
        _ = Fixtures.press(&state, .char("j"), .char("j"), .char("j"))
        #expect(state.selectedMapping?.mapping.name == "api")
        _ = Fixtures.press(&state, .char("k"))
        #expect(state.selectedMapping?.mapping.name == "db")
        _ = Fixtures.press(&state, .up, .up)
        #expect(state.mappingIndex == 0)
    }

    @Test func tabCyclesPanesAndEnterFocusesDetail() {
        var state = Fixtures.state()
        _ = Fixtures.press(&state, .tab)
        #expect(state.focus == .detail)
        _ = Fixtures.press(&state, .tab, .tab)
        #expect(state.focus == .tunnels)
        _ = Fixtures.press(&state, .down)
        #expect(state.tunnelIndex == 1)
        #expect(state.selectedTunnel == "local")
        _ = Fixtures.press(&state, .escape)
        #expect(state.focus == .mappings)
        _ = Fixtures.press(&state, .enter)
        #expect(state.focus == .detail)
    }

    @Test func quitWithQOrCtrlC() {
        var state = Fixtures.state()
        #expect(Fixtures.press(&state, .char("q")) == [.quit])
        #expect(state.quitting)
        var other = Fixtures.state()
        #expect(Fixtures.press(&other, .ctrl("c")) == [.quit])
        // Ctrl-C quits even from inside the form.
        var inForm = Fixtures.state()
        _ = Fixtures.press(&inForm, .char("a"))
        #expect(Fixtures.press(&inForm, .ctrl("c")) == [.quit])
    }

    @Test func copyAndOpenNeedAPublicURL() {
        var state = Fixtures.state()
        #expect(Fixtures.press(&state, .char("c")) == [.copy("http://web.localhost:8080")])
        #expect(Fixtures.press(&state, .char("o")) == [.open("http://web.localhost:8080")])
        _ = Fixtures.press(&state, .char("G"))
        #expect(Fixtures.press(&state, .char("c")) == [])
        #expect(state.toast?.text == "api has no public URL yet")
    }

    @Test func spaceTogglesAndDeleteAsksFirst() {
        var state = Fixtures.state()
        #expect(Fixtures.press(&state, .char(" ")) == [.setEnabled("web", false)])
        _ = Fixtures.press(&state, .down)
        #expect(Fixtures.press(&state, .char(" ")) == [.setEnabled("db", true)])
        #expect(Fixtures.press(&state, .char("d")) == [])
        #expect(state.modal == .confirmDelete("db"))
        #expect(Fixtures.press(&state, .char("n")) == [])
        #expect(state.modal == nil)
        _ = Fixtures.press(&state, .char("d"))
        #expect(Fixtures.press(&state, .char("y")) == [.deleteMapping("db")])
        _ = Reducer.reduce(&state, .succeeded("deleted db"))
        #expect(state.modal == nil)
        #expect(state.toast?.text == "deleted db")
    }

    @Test func addFormValidatesInlineWithCoreMessages() {
        var state = Fixtures.state()
        _ = Fixtures.press(&state, .char("a"))
        guard case .form = state.modal else { Issue.record("no form"); return }
        // Enter on an empty form says the local port is required and saves nothing.
        #expect(Fixtures.press(&state, .enter) == [])
        guard case .form(var form) = state.modal else { Issue.record("form closed"); return }
        #expect(form.errors[.local]?.hasPrefix("a local port is required") == true)
        Fixtures.type(&state, "70000")
        guard case .form(let typed) = state.modal else { return }
        form = typed
        #expect(form.errors[.local] == CoreError.invalidPort("70000").description)
        _ = Fixtures.press(&state, .ctrl("u"))
        Fixtures.type(&state, "8000")
        _ = Fixtures.press(&state, .tab, .tab)   // → tunnel → name
        Fixtures.type(&state, "Web")
        guard case .form(let named) = state.modal else { return }
        #expect(named.errors[.name] == CoreError.invalidName("Web", reason: "'W' is not allowed").description)
        _ = Fixtures.press(&state, .backspace, .backspace, .backspace)
        Fixtures.type(&state, "web")
        guard case .form(let taken) = state.modal else { return }
        #expect(taken.errors[.name] == "mapping name 'web' is already taken; choose another name or remove the existing mapping first")
        _ = Fixtures.press(&state, .backspace, .backspace, .backspace)
        Fixtures.type(&state, "site")
        let effects = Fixtures.press(&state, .enter)
        #expect(effects == [.saveMapping(MappingDraft(protocol: .http, local: LocalAddress(port: 8000), name: "site"), replacing: nil)])
        // A store error is shown in the form, which stays open.
        _ = Reducer.reduce(&state, .failed("mappings.json: name 'site' is taken"))
        guard case .form(let failed) = state.modal else { Issue.record("form closed on failure"); return }
        #expect(failed.saveError == "mappings.json: name 'site' is taken")
        _ = Reducer.reduce(&state, .succeeded("added site"))
        #expect(state.modal == nil)
    }

    @Test func formChoosesProtocolAndCancelsWithEscape() {
        var state = Fixtures.state()
        _ = Fixtures.press(&state, .char("a"), .up)   // focus protocol
        _ = Fixtures.press(&state, .right)
        guard case .form(let form) = state.modal else { return }
        #expect(form.mappingProtocol == .tcp)
        _ = Fixtures.press(&state, .char("u"))
        guard case .form(let udp) = state.modal else { return }
        #expect(udp.mappingProtocol == .udp)
        _ = Fixtures.press(&state, .escape)
        #expect(state.modal == nil)
    }

    @Test func editReplacesTheSelectedMapping() {
        var state = Fixtures.state()
        _ = Fixtures.press(&state, .char("e"))
        guard case .form(let form) = state.modal else { Issue.record("no form"); return }
        #expect(form.editing == "web")
        #expect(form.local == "127.0.0.1:3000")
        #expect(form.errors.isEmpty)   // its own name is not "taken"
        let effects = Fixtures.press(&state, .enter)
        #expect(effects == [.saveMapping(MappingDraft(protocol: .http, local: LocalAddress(port: 3000), name: "web"), replacing: "web")])
    }

    @Test func filterNarrowsTheTable() {
        var state = Fixtures.state()
        _ = Fixtures.press(&state, .char("/"))
        Fixtures.type(&state, "5432")
        #expect(state.visibleMappings.map(\.mapping.name) == ["db"])
        _ = Fixtures.press(&state, .enter)
        #expect(!state.editingFilter)
        #expect(state.selectedMapping?.mapping.name == "db")
        _ = Fixtures.press(&state, .escape)
        #expect(state.visibleMappings.count == 3)
    }

    @Test func themeKeyCyclesAndSaves() {
        var state = Fixtures.state()
        #expect(Fixtures.press(&state, .char("t")) == [.saveTheme("light")])
        #expect(Fixtures.press(&state, .char("t"), .char("t"), .char("t")) == [.saveTheme("high-contrast"), .saveTheme("monochrome"), .saveTheme("default")])
    }

    @Test func selectionFollowsTheMappingWhenTheFileChanges() {
        var state = Fixtures.state()
        _ = Fixtures.press(&state, .char("G"))
        #expect(state.selectedMapping?.mapping.name == "api")
        // Another process adds a mapping at the top: "api" stays selected.
        let extra = Mapping(name: "aaa", protocol: .tcp, local: LocalAddress(port: 22))
        _ = Reducer.reduce(&state, .mappingsChanged([extra, Fixtures.web, Fixtures.db, Fixtures.api]))
        #expect(state.selectedMapping?.mapping.name == "api")
        _ = Reducer.reduce(&state, .mappingsChanged([extra]))
        #expect(state.selectedMapping?.mapping.name == "aaa")
    }

    @Test func mouseClickSelectsARow() {
        var state = Fixtures.state()
        let screen = Fixtures.draw(state)
        guard let position = screen.find("api ") else { Issue.record("api row not drawn"); return }
        _ = Reducer.reduce(&state, .input(.click(x: position.x, y: position.y)))
        #expect(state.selectedMapping?.mapping.name == "api")
    }

    @Test func engineEventsAreLoggedNewestFirst() {
        var state = Fixtures.state()
        _ = Reducer.reduce(&state, .engineEvent(.connected(tunnel: "local", relay: "127.0.0.1:2222"), at: Fixtures.now))
        _ = Reducer.reduce(&state, .engineEvent(.error(mapping: "api", message: "local service 192.168.1.20:8081 refused the connection"), at: Fixtures.now + 1))
        #expect(state.log.map(\.text) == ["error api: local service 192.168.1.20:8081 refused the connection", "connected local to 127.0.0.1:2222"])
        #expect(state.log.first?.role == .error)
    }

    @Test func keyBindingTableDrivesCommands() {
        #expect(KeyBindings.command(for: .char("a")) == .add)
        #expect(KeyBindings.command(for: .char(" ")) == .toggle)
        #expect(KeyBindings.command(for: .down) == .moveDown)
        #expect(KeyBindings.command(for: .char("j")) == .moveDown)
        #expect(KeyBindings.command(for: .char("x")) == nil)
        // Every command is reachable from some key.
        #expect(Set((KeyBindings.main + KeyBindings.inspector).map(\.command)) == Set(Command.allCases))
    }

    @Test func profileSwitcherSelectsAndFollowsOutsideChanges() {
        var state = Fixtures.state()
        _ = Fixtures.press(&state, .char("p"))
        #expect(state.modal == .profiles(index: 0))
        // `burrow profile add far` in another shell, while the switcher is open.
        let far = Profile(name: "far", host: "relay.example.com")
        _ = Reducer.reduce(&state, .profilesChanged([far], selected: "far"))
        #expect(state.modal == .profiles(index: 1))
        #expect(Fixtures.press(&state, .up, .enter) == [.selectProfile(nil)])
        #expect(state.modal == nil)
        _ = Reducer.reduce(&state, .profilesChanged([far], selected: nil))   // what StoreEffects reports back
        _ = Fixtures.press(&state, .char("p"))
        #expect(state.modal == .profiles(index: 0))
        #expect(Fixtures.press(&state, .char("j"), .enter) == [.selectProfile("far")])
    }
}
