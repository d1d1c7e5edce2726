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

    /// The module the scripts import from their own folder.
    public static let sharedModule = "burrow_test_net.py"

    /// Copies the script `name` into `directory` as `file` (its own name by
    /// default), with the shared module it may import; returns the copy's path.
    @discardableResult
    public static func install(_ name: String, in directory: String, as file: String? = nil) throws -> String {
        let target = directory + "/" + (file ?? name)
        try read(name).write(toFile: target, atomically: true, encoding: .utf8)
        try read(sharedModule).write(toFile: directory + "/" + sharedModule, atomically: true, encoding: .utf8)
        return target
    }

    /// The script's text (for tests that copy it next to their other files).
    public static func read(_ name: String) -> String {
        (try? String(contentsOfFile: path(name), encoding: .utf8))
            ?? "raise SystemExit('missing \(path(name))')\n"
    }
}
