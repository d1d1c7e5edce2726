#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TerminalUI

/// Runs a real program to completion with posix_spawn, its output sent to
/// temp files, and reaps exactly its own pid with `waitpid`.
///
/// Why not Foundation's `Process`: its monitor thread serves every child of
/// the test process, and it blocked for good in `wait4` on a long-lived
/// `sshd` (which closes the descriptor Foundation watches), after which no
/// `waitUntilExit`/`terminationHandler` of any test returned: the whole
/// suite hung. This type shares no state between children.
public enum SpawnedProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs and waits, blocking this thread (for short commands).
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        let child = try Child(executable, arguments, environment: environment)
        return child.finish(status: child.waitBlocking())
    }

    /// Runs and waits without holding a cooperative thread (polls `waitpid`).
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, timeout: Duration) async throws -> Result {
        let child = try Child(executable, arguments, environment: environment)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            if let status = child.poll() { return child.finish(status: status) }
            if ContinuousClock.now > deadline {
                kill(child.pid, SIGKILL)
                _ = child.waitBlocking()
                throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) still running after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Finds `name` on PATH (or common system folders).
    public static func which(_ name: String) throws -> String {
        if name.hasPrefix("/") { return name }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in path + ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin"] {
            let candidate = directory + "/" + name
            if access(candidate, X_OK) == 0 { return candidate }
        }
        throw Failure(description: "\(name) not found on PATH")
    }

    /// Starts `path` (a full path) with stdin from /dev/null, stdout to the
    /// file `stdout` and stderr to the file `stderr` (or to stdout when nil),
    /// no other descriptor inherited and clean signal dispositions; returns
    /// the pid, for the caller to reap with `waitpid`.
    public static func spawn(
        _ path: String, _ arguments: [String], environment: [String: String], stdout: String, stderr: String?
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let stderr {
            posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        InheritedDescriptors.closeAbove2(&actions)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var child: pid_t = 0
        let result = ProcessSpawner.withCleanAttributes { posix_spawn(&child, path, &actions, &$0, argv, envp) }
        guard result == 0 else {
            throw Failure(description: "cannot start \(path): \(String(cString: strerror(result)))")
        }
        return child
    }

    /// A `waitpid` status as an exit code, or 128 + signal number.
    public static func exitStatus(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }

    private final class Child {
        let pid: pid_t
        let stdoutPath: String
        let stderrPath: String

        init(_ executable: String, _ arguments: [String], environment: [String: String]?) throws {
            let path = try SpawnedProcess.which(executable)
            let base = NSTemporaryDirectory() + "burrow-spawn-\(UUID().uuidString.prefix(12))"
            stdoutPath = base + ".out"
            stderrPath = base + ".err"
            pid = try SpawnedProcess.spawn(
                path, arguments, environment: environment ?? ProcessInfo.processInfo.environment,
                stdout: stdoutPath, stderr: stderrPath)
        }

        func poll() -> Int32? {
            var raw: Int32 = 0
            return waitpid(pid, &raw, WNOHANG) == pid ? SpawnedProcess.exitStatus(raw) : nil
        }

        func waitBlocking() -> Int32 {
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
            return SpawnedProcess.exitStatus(raw)
        }

        func finish(status: Int32) -> Result {
            defer { unlink(stdoutPath); unlink(stderrPath) }
            return Result(
                status: status,
                stdout: (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "",
                stderr: (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "")
        }
    }
}
