/// One line of the inspector, already cut to the column's width.
public struct InspectorLine: Sendable, Equatable {
    public var text: String
    public var role: ThemeRole
    public var bold = false

    public init(_ text: String, _ role: ThemeRole = .text, bold: Bool = false) {
        self.text = text
        self.role = role
        self.bold = bold
    }
}
