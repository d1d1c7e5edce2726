import TerminalUI

/// One row of the key-binding table: the key bar and the help screen are
/// both drawn from this table, and input is dispatched through it.
public struct KeyBinding: Sendable, Equatable {
    public var keys: [Key]
    public var command: Command
    /// Short label for the key bar ("add").
    public var label: String
    /// What the help screen says.
    public var description: String
    public var shownInBar: Bool
    public var shownInHelp: Bool

    public init(_ keys: [Key], _ command: Command, label: String, description: String, bar: Bool = true, help: Bool = true) {
        self.keys = keys
        self.command = command
        self.label = label
        self.description = description
        self.shownInBar = bar
        self.shownInHelp = help
    }

    /// How the keys are written in the bar and the help ("j/↓").
    public var keyText: String { keys.map(\.description).joined(separator: "/") }
}

/// The bindings of the main screen, in the order the key bar shows them.
public enum KeyBindings {
    public static let main: [KeyBinding] = [
        KeyBinding([.char("a")], .add, label: "add", description: "add a mapping"),
        KeyBinding([.char("e")], .edit, label: "edit", description: "edit the selected mapping"),
        KeyBinding([.char("d")], .delete, label: "delete", description: "delete the selected mapping (asks first)"),
        KeyBinding([.char(" ")], .toggle, label: "on/off", description: "enable or disable the selected mapping"),
        KeyBinding([.char("c")], .copy, label: "copy URL", description: "copy the public URL to the clipboard"),
        KeyBinding([.char("o")], .open, label: "open", description: "open the public URL in a browser (xdg-open)"),
        KeyBinding([.char("/")], .filter, label: "filter", description: "filter mappings by name, URL or address"),
        KeyBinding([.char("t")], .nextTheme, label: "theme", description: "next colour theme (saved)"),
        KeyBinding([.char("p")], .profiles, label: "profile", description: "switch profile (relay)"),
        KeyBinding([.char("v")], .fullView, label: "full view",
                   description: "read cut text in full (log, or the mapping)", bar: false),
        KeyBinding([.char("?")], .help, label: "help", description: "show all keys"),
        KeyBinding([.char("q"), .ctrl("c")], .quit, label: "quit",
                   description: "quit (may ask: keep the tunnels running?)"),
        KeyBinding([.ctrl("z")], .suspend, label: "suspend", description: "suspend: tunnels pause; fg resumes", bar: false),
        KeyBinding([.up, .char("k")], .moveUp, label: "up", description: "select the previous row", bar: false),
        KeyBinding([.down, .char("j")], .moveDown, label: "down", description: "select the next row", bar: false),
        KeyBinding([.pageUp], .pageUp, label: "page up", description: "move a page up", bar: false),
        KeyBinding([.pageDown], .pageDown, label: "page down", description: "move a page down", bar: false),
        KeyBinding([.home, .char("g")], .top, label: "top", description: "first row", bar: false),
        KeyBinding([.end, .char("G")], .bottom, label: "bottom", description: "last row", bar: false),
        KeyBinding([.tab], .nextPane, label: "pane", description: "next pane (tunnels, mappings, detail, log)", bar: false),
        KeyBinding([.backTab], .previousPane, label: "pane", description: "previous pane", bar: false),
        KeyBinding([.enter], .focusDetail, label: "detail",
                   description: "detail; inspect a request; log: full view", bar: false),
        KeyBinding([.escape], .back, label: "back", description: "back to the mappings table; clear the filter", bar: false),
    ]

    /// The request inspector's own keys (it scrolls and closes with the main
    /// table's keys); listed in the help after the main ones.
    public static let inspector: [KeyBinding] = [
        KeyBinding([.char("r")], .replay, label: "replay",
                   description: "request: replay it (asks first for POST…)"),
        KeyBinding([.char("R")], .editReplay, label: "edit & replay", description: "request: edit in $EDITOR, then replay"),
        KeyBinding([.char("v")], .reveal, label: "reveal", description: "request: show/mask Authorization, Cookie"),
    ]

    /// The key bar for the focused pane: what the keys do there, drawn from
    /// the table (the mappings pane shows every binding marked for the bar).
    /// `requests`: the detail pane lists HTTP requests to select and inspect.
    public static func bar(for pane: Pane, requests: Bool = false) -> [(key: String, label: String)] {
        func hint(_ command: Command, _ label: String? = nil) -> (key: String, label: String) {
            let binding = main.first { $0.command == command }
            return (binding?.keys[0].description ?? "?", label ?? binding?.label ?? "")
        }
        let last = [hint(.help), hint(.quit)]
        switch pane {
        case .tunnels:
            return [("↑↓", "tunnel"), hint(.focusDetail, "its mappings"), hint(.nextPane), hint(.profiles)] + last
        case .mappings:
            return main.filter(\.shownInBar).map { ($0.keys[0].description, $0.label) }
        case .detail where requests:
            return [("↑↓", "request"), ("Enter", "inspect"), hint(.fullView), hint(.copy), hint(.back), hint(.nextPane)] + last
        case .detail:
            return [("↑↓", "scroll"), hint(.fullView), hint(.copy), hint(.open), hint(.back), hint(.nextPane)] + last
        case .log:
            return [("↑↓", "scroll"), hint(.fullView), hint(.back), hint(.nextPane)] + last
        }
    }

    public static func command(for key: Key, in table: [KeyBinding] = main) -> Command? {
        table.first { $0.keys.contains(key) }?.command
    }
}
