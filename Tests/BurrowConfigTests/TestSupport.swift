import BurrowTestSupport
import Foundation

/// A fresh directory under /tmp, removed by `remove()` (call it in `defer`).
struct TempDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/burrow-config-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: made)
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a real program to completion (stdin empty), capturing its output.
func runProcess(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> ProcessResult {
    let result = try SpawnedProcess.run(executable, arguments, environment: environment)
    return ProcessResult(status: result.status, stdout: result.stdout, stderr: result.stderr)
}

func fileMode(_ path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}
