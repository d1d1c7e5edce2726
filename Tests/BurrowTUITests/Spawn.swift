import BurrowTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Child processes for the end-to-end tests, with posix_spawn and waitpid.
/// (Foundation's Process left children unreaped here and hung in
/// waitUntilExit once tmux had forked its server.)
enum Spawn {
    /// Starts `path arguments…` with stdin from /dev/null and stdout (and
    /// stderr) into `outputPath` (or /dev/null).
    static func start(_ path: String, _ arguments: [String], outputPath: String? = nil) throws -> pid_t {
        try SpawnedProcess.spawn(
            path, arguments, environment: ProcessInfo.processInfo.environment, stdout: outputPath ?? "/dev/null", stderr: nil)
    }

    /// Waits for `pid` and returns its exit status (128 + signal when killed).
    @discardableResult
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        return SpawnedProcess.exitStatus(status)
    }

    /// Runs a command to completion and returns its status and output.
    static func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("burrow-tui-out-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let pid = try start(path, arguments, outputPath: outputPath)
        let status = wait(pid)
        let data = FileManager.default.contents(atPath: outputPath) ?? Data()
        return (status, String(decoding: data, as: UTF8.self))
    }
}
