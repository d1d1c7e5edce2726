import BurrowTUI
import Testing
import TerminalUI

/// Every theme shows which pane has focus, monochrome and NO_COLOR included.
@Suite struct MonochromeFocusTests {
    /// The style of the first cell of the title `title`.
    static func titleStyle(_ screen: FakeScreen, _ title: String) -> TextStyle? {
        screen.find(" \(title)").map { screen.style(x: $0.x + 1, y: $0.y) }
    }

    @Test(arguments: [("monochrome", 0), ("monochrome", 256), ("default", 0)])
    func theFocusedPaneStandsOut(theme name: String, colors: Int) throws {
        let theme = try #require(ThemeCatalog.load(directories: []).theme(named: name))
        var state = Fixtures.state()
        for pane in [Pane.log, .tunnels] {
            while state.focus != pane { _ = Fixtures.press(&state, .tab) }
            let screen = Fixtures.draw(state, theme: theme, colors: colors)
            let focused = try #require(Self.titleStyle(screen, pane == .log ? "Log" : "Tunnels"))
            let other = try #require(Self.titleStyle(screen, "Mappings"))
            #expect(focused != other, "\(name) at \(colors) colours: focus on \(pane) looks like the other panes")
            #expect(focused.reverse || focused.foreground != other.foreground)
        }
    }
}
