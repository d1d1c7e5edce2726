/// How `burrow` / `burrow tui` asked for the UI.
public struct TUIOptions: Sendable {
    /// `--theme NAME`; nil = the saved choice.
    public var theme: String?
    /// `NO_COLOR` is set (any value): monochrome.
    public var noColor: Bool
    /// Header text until the engine reports its tunnel.
    public var relayLabel: String
    /// Where theme JSON files are looked for, in order (later wins).
    public var themeDirectories: [String]
    /// Whose engine, for the header: `TUIOptions.attachedLabel(pid:)` when
    /// the UI is attached to another process's engine; nil when this process
    /// started it (the header shows nothing more).
    public var engineLabel: String?
    /// The engine is another process's (`burrow up`): quitting leaves it
    /// running and never asks; an engine going away is shown, not fatal.
    public var attached: Bool
    /// This process started the engine and can keep it running after the UI
    /// quits: `q` asks "Keep the tunnels running in the background?" unless
    /// config.json remembers the answer (`ui.keepTunnelsOnQuit`). When false,
    /// quitting stops the engine without asking (as before).
    public var askBeforeQuit: Bool

    public init(theme: String?, noColor: Bool, relayLabel: String, themeDirectories: [String],
                engineLabel: String? = nil, attached: Bool = false, askBeforeQuit: Bool = false) {
        self.theme = theme
        self.noColor = noColor
        self.relayLabel = relayLabel
        self.themeDirectories = themeDirectories
        self.engineLabel = engineLabel
        self.attached = attached
        self.askBeforeQuit = askBeforeQuit
    }

    /// "attached to burrow up (pid 4242)".
    public static func attachedLabel(pid: Int32) -> String { "attached to burrow up (pid \(pid))" }
}
