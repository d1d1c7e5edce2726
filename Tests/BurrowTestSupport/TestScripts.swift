import Foundation

/// The Python helpers the tests start (local services, raw visitors, hostile
/// clients) live as files in `Tests/Scripts/`, where they can be read and
/// linted; tests find them next to this file.
public enum TestScripts {
    public static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scripts").path

    public static func path(_ name: String) -> String {
        directory + "/" + name
    }

    /// The script's text (for tests that copy it next to their other files).
    public static func read(_ name: String) -> String {
        (try? String(contentsOfFile: path(name), encoding: .utf8))
            ?? "raise SystemExit('missing \(path(name))')\n"
    }
}
