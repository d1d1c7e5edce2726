import BurrowConfig
import BurrowCore
import BurrowTUI
import Foundation
import Testing
import TerminalUI

/// Quitting a UI that started the engine asks whether to keep the tunnels
/// running (once, or never again with Y/N); an attached UI just quits.
@Suite struct QuitQuestionTests {
    static func asking(remembered: Bool? = nil) -> AppState {
        var state = Fixtures.state()
        state.quitPolicy = QuitPolicy(ask: true, remembered: remembered)
        return state
    }

    @Test func withoutAskingQuittingStopsTheEngineAsBefore() {
        var state = Fixtures.state()
        #expect(Fixtures.press(&state, .char("q")) == [.quit])
        #expect(state.exit == .stopEngine)
    }

    @Test func qAsksAndEscStays() {
        var state = Self.asking()
        #expect(Fixtures.press(&state, .char("q")) == [])
        #expect(state.modal == .quitQuestion && !state.quitting)
        let screen = Fixtures.draw(state)
        #expect(screen.text.contains("Keep the tunnels running in the background?"), "\(screen.text)")
        #expect(screen.text.contains("y yes · n no, stop them · Esc stay"))
        #expect(screen.text.contains("Y always keep · N never keep"))
        #expect(screen.line(29).contains("Esc stay"))
        // Other keys do nothing; Esc goes back to the UI.
        #expect(Fixtures.press(&state, .char("a"), .char("q")) == [])
        #expect(state.modal == .quitQuestion)
        _ = Fixtures.press(&state, .escape)
        #expect(state.modal == nil && !state.quitting && state.exit == nil)
    }

    @Test func yKeepsAndNStops() {
        var keep = Self.asking()
        _ = Fixtures.press(&keep, .char("q"))
        #expect(Fixtures.press(&keep, .char("y")) == [.quit])
        #expect(keep.quitting && keep.exit == .keepEngine)
        var stop = Self.asking()
        _ = Fixtures.press(&stop, .char("q"))
        #expect(Fixtures.press(&stop, .char("n")) == [.quit])
        #expect(stop.exit == .stopEngine)
        // Ctrl-C asks too; a second Ctrl-C quits as quitting always did.
        var twice = Self.asking()
        #expect(Fixtures.press(&twice, .ctrl("c")) == [])
        #expect(Fixtures.press(&twice, .ctrl("c")) == [.quit])
        #expect(twice.exit == .stopEngine)
    }

    @Test func capitalsRememberTheAnswer() {
        var always = Self.asking()
        _ = Fixtures.press(&always, .char("q"))
        #expect(Fixtures.press(&always, .char("Y")) == [.saveQuitAnswer(true), .quit])
        #expect(always.exit == .keepEngine)
        var never = Self.asking()
        _ = Fixtures.press(&never, .char("q"))
        #expect(Fixtures.press(&never, .char("N")) == [.saveQuitAnswer(false), .quit])
        #expect(never.exit == .stopEngine)
    }

    @Test func aRememberedAnswerIsNotAskedAgain() {
        var keep = Self.asking(remembered: true)
        #expect(Fixtures.press(&keep, .char("q")) == [.quit])
        #expect(keep.exit == .keepEngine && keep.modal == nil)
        var stop = Self.asking(remembered: false)
        #expect(Fixtures.press(&stop, .char("q")) == [.quit])
        #expect(stop.exit == .stopEngine)
        // Changed in config.json meanwhile (another shell, an editor).
        var changed = Self.asking(remembered: true)
        _ = Reducer.reduce(&changed, .quitAnswerChanged(nil))
        #expect(Fixtures.press(&changed, .char("q")) == [])
        #expect(changed.modal == .quitQuestion)
        // A signal never waits for an answer.
        var signalled = Self.asking(remembered: true)
        #expect(Reducer.reduce(&signalled, .input(.terminate)) == [.quit])
        #expect(signalled.exit == .keepEngine)
    }

    @Test func anAttachedUIQuitsWithoutAskingAndLeavesTheEngine() {
        var state = Fixtures.state()
        state.quitPolicy = QuitPolicy(attached: true, ask: true)
        #expect(Fixtures.press(&state, .char("q")) == [.quit])
        #expect(state.exit == .keepEngine && state.modal == nil)
    }

    @Test func anEngineThatStoppedIsNotAskedAbout() {
        var state = Self.asking()
        _ = Reducer.reduce(&state, .engineStopped("connection refused"))
        #expect(Fixtures.press(&state, .char("q")) == [.quit])
        #expect(state.exit == .stopEngine)
    }

    @Test func theRememberedAnswerIsSavedToConfigJSON() throws {
        let directory = try TUIAppTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = ConfigStore(directory: directory)
        let screen = FakeScreen()
        var state = AppState(size: screen.size, now: Fixtures.now)
        state.quitPolicy = QuitPolicy(ask: true)
        let app = TUIApp(screen: screen, state: state, catalog: ThemeCatalog.load(directories: []),
                         effects: StoreEffects(store: store, environment: [:]), mailbox: Mailbox(), clock: { Fixtures.now })
        screen.pendingEvents = [.key(.char("q")), .key(.char("N"))]
        app.step(timeoutMilliseconds: 0)
        #expect(app.state.quitting && app.state.exit == .stopEngine)
        #expect(try store.loadConfig().ui.keepTunnelsOnQuit == false)
        #expect(app.state.log.first?.text.contains("ui.keepTunnelsOnQuit") == true)
    }
}
