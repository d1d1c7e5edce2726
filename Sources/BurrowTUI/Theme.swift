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
    public static let monochrome = shipped("monochrome")

    /// The default theme: the schema (every role) and the fallback.
    public static let builtInDefault = shipped("default")

    /// The shipped themes, parsed from their compiled-in copies.
    public static let allShipped: [Theme] = ShippedThemes.files.map { shipped($0.name) }

    private static func shipped(_ name: String) -> Theme {
        guard let json = ShippedThemes.files.first(where: { $0.name == name })?.json else {
            fatalError("no compiled-in theme named \(name)")
        }
        do {
            return try ThemeFile.parse(Array(json.utf8), path: name + ".json")
        } catch {
            // ThemeTests parses every compiled-in copy, so a bad paste never ships.
            fatalError("compiled-in theme: \(error)")
        }
    }
}
