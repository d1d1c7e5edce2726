import Foundation
#if canImport(Glibc)
import Glibc
#endif

public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A real child process (ssh, curl, python3, the burrow binary), started
/// with posix_spawn; its stdout and stderr go to files that the test reads.
/// (Foundation's `Process` lost track of exited children under parallel
/// tests here, so this reaps with `waitpid` itself.) Tests kill it in `defer`.
/// Used by the relay and fleet tests; a target with a `TestProcess` of its
/// own (the agent tests') sees its own.
public final class TestProcess {
    public let pid: pid_t
    public let name: String
    private let stdoutPath: String
    private let stderrPath: String
    private var status: Int32?

    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        let path = executable.hasPrefix("/") ? executable : try Self.which(executable)
        name = ([executable] + arguments).joined(separator: " ")
        let base = FileManager.default.temporaryDirectory.path + "/burrow-test-proc-\(UUID().uuidString.prefix(12))"
        stdoutPath = base + ".out"
        stderrPath = base + ".err"

        do {
            pid = try SpawnedProcess.spawn(
                path, arguments, environment: environment ?? ProcessInfo.processInfo.environment,
                stdout: stdoutPath, stderr: stderrPath)
        } catch {
            throw TestFailure("\(error)")
        }
    }

    deinit {
        kill()
        unlink(stdoutPath)
        unlink(stderrPath)
    }

    public static func which(_ name: String) throws -> String {
        do { return try SpawnedProcess.which(name) } catch { throw TestFailure("\(error)") }
    }

    public var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
    public var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    public var isRunning: Bool {
        reap(blocking: false)
        return status == nil
    }

    /// Exit code, or 128 + signal; nil while running.
    public var exitStatus: Int32? {
        reap(blocking: false)
        return status
    }

    private func reap(blocking: Bool) {
        guard status == nil else { return }
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, blocking ? 0 : WNOHANG)
        guard result == pid else { return }
        status = SpawnedProcess.exitStatus(raw)
    }

    /// Waits (bounded) for the process to end; returns its exit status.
    @discardableResult
    public func wait(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            if let status = exitStatus { return status }
            if ContinuousClock.now > deadline {
                kill()
                throw TestFailure("\(name) still running after \(timeout)\nstdout: \(stdout)\nstderr: \(stderr)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits (bounded) until stdout (or stderr) matches `pattern`; returns capture group 1 (or the match).
    public func waitFor(_ pattern: String, inStderr: Bool = false, timeout: Duration = .seconds(60)) async throws -> String {
        let regex = try Regex(pattern)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let exited = !isRunning
            let text = inStderr ? stderr : stdout
            if let match = text.firstMatch(of: regex) {
                return match.output.count > 1 ? String(match.output[1].substring ?? "") : String(text[match.range])
            }
            if exited {
                throw TestFailure("\(name) exited (\(status ?? -1)) before printing /\(pattern)/\nstdout: \(stdout)\nstderr: \(stderr)")
            }
            if ContinuousClock.now > deadline {
                throw TestFailure("\(name): no /\(pattern)/ within \(timeout)\nstdout: \(stdout)\nstderr: \(stderr)")
            }
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    public func signal(_ number: Int32) {
        if isRunning { Glibc.kill(pid, number) }
    }

    /// Kills the process (SIGKILL) and reaps it.
    public func kill() {
        guard isRunning else { return }
        Glibc.kill(pid, SIGKILL)
        reap(blocking: true)
    }

    /// Runs a command to completion (bounded) and returns it.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> TestProcess {
        let process = try TestProcess(executable, arguments)
        try await process.wait(timeout: timeout)
        return process
    }
}
