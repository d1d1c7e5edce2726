import TerminalUI

/// A named set of role → colour choices. The built-in default is both the
/// schema (every role) and the fallback for roles a theme leaves out.
public struct Theme: Sendable, Equatable {
    public var name: String
    public var description: String
    public var colors: [ThemeRole: TerminalColor]

    public init(name: String, description: String = "", colors: [ThemeRole: TerminalColor]) {
        self.name = name
        self.description = description
        self.colors = colors
    }

    /// The colour of `role`, the default theme's when this one has none.
    public func color(_ role: ThemeRole) -> TerminalColor {
        colors[role] ?? Theme.builtInDefault.colors[role] ?? .terminalDefault
    }

    /// The theme `NO_COLOR` selects: terminal colours, attributes only.
    public static let monochrome = Theme(
        name: "monochrome", description: "No colours.",
        colors: Dictionary(uniqueKeysWithValues: ThemeRole.allCases.map { ($0, TerminalColor.terminalDefault) }))

    /// The default theme, compiled in so Burrow looks right even without its
    /// Themes folder. Kept equal to Themes/default.json (a test checks).
    public static let builtInDefault: Theme = {
        let pairs: [(ThemeRole, TerminalColor)] = [
            (.background, .terminalDefault), (.text, .rgb(0xd7, 0xd7, 0xd7)), (.muted, .rgb(0x80, 0x80, 0x80)),
            (.header, .rgb(0x1c, 0x3a, 0x5e)), (.headerText, .rgb(0xff, 0xff, 0xff)),
            (.selection, .rgb(0x2f, 0x4f, 0x6f)), (.selectionText, .rgb(0xff, 0xff, 0xff)),
            (.border, .rgb(0x4e, 0x4e, 0x4e)), (.focus, .rgb(0x5f, 0xaf, 0xff)), (.title, .rgb(0x87, 0xaf, 0xd7)),
            (.online, .rgb(0x5f, 0xd7, 0x5f)), (.warning, .rgb(0xff, 0xd7, 0x5f)), (.error, .rgb(0xff, 0x5f, 0x5f)),
            (.accent, .rgb(0x5f, 0xaf, 0xff)), (.sparkline, .rgb(0x5f, 0xd7, 0xaf)), (.key, .rgb(0xff, 0xaf, 0x5f)),
            (.toast, .rgb(0x5f, 0xd7, 0x5f)),
            (.status2xx, .rgb(0x5f, 0xd7, 0x5f)), (.status3xx, .rgb(0x5f, 0xaf, 0xff)),
            (.status4xx, .rgb(0xff, 0xd7, 0x5f)), (.status5xx, .rgb(0xff, 0x5f, 0x5f)),
        ]
        return Theme(name: "default", description: "Dark, for dark terminals.", colors: Dictionary(uniqueKeysWithValues: pairs))
    }()
}
