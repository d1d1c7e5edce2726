/// One character cell: what it shows and what it means.
public struct Cell: Equatable, Sendable {
    /// The grapheme shown; "" for the second half of a wide character.
    public var text: String
    public var role: ThemeRole
    public var background: ThemeRole
    public var bold: Bool
    public var dim: Bool

    public init(text: String = " ", role: ThemeRole = .text, background: ThemeRole = .background, bold: Bool = false, dim: Bool = false) {
        self.text = text
        self.role = role
        self.background = background
        self.bold = bold
        self.dim = dim
    }
}
