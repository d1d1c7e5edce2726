import BurrowTestSupport
import Foundation

/// A fresh directory under /tmp, removed by `remove()` (call it in `defer`).
struct TestDirectory {
    let path: String

    init(_ label: String = "burrow-agent-test") throws {
        let template = NSTemporaryDirectory() + "\(label)-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { throw TestFailure("mkdtemp failed") }
        path = String(cString: made)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ name: String, _ text: String, mode: Int = 0o644) throws {
        try text.write(toFile: file(name), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file(name))
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
