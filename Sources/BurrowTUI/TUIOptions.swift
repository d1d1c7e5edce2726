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

    public init(theme: String?, noColor: Bool, relayLabel: String, themeDirectories: [String]) {
        self.theme = theme
        self.noColor = noColor
        self.relayLabel = relayLabel
        self.themeDirectories = themeDirectories
    }
}
