/// A short message in the bottom-right corner that goes away by itself.
public struct Toast: Sendable, Equatable {
    public var text: String
    public var role: ThemeRole
    public var until: Double

    public init(text: String, role: ThemeRole = .toast, until: Double) {
        self.text = text
        self.role = role
        self.until = until
    }
}
