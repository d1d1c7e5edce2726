/// A theme file Burrow could not use; the message names the file, the
/// line:column and what to fix. The default theme is used instead.
public struct ThemeError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    /// What is wrong, starting with the file name (and line:column when the
    /// problem has a place): "light.json:3:5: unknown field 'colour'…".
    public var problem: String

    /// The file name first (log lines get cut at the pane's edge), its folder last.
    public var description: String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        let folder = parts.count > 1 ? parts.dropLast().joined(separator: "/") : "."
        return "theme \(problem); using the default theme (in \(folder))"
    }
}
