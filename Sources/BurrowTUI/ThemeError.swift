/// A theme file Burrow could not use; the message names the file and what
/// to fix. The default theme is used instead.
public struct ThemeError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "theme \(path): \(problem); using the default theme" }
}
