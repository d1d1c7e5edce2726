import Foundation
import Synchronization
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
/// tests here, and its shared monitor thread blocked for good in `wait4` on
/// a live `sshd`; this reaps exactly its own pid with `waitpid`.) Tests end
/// it in `defer` with `stop()` (SIGTERM, then SIGKILL) or `kill()`. Every
/// test target starts its programs with this one type.
public final class TestProcess: Sendable {
    /// Where the output goes: stdout and stderr each in a file of its own
    /// (`stdout`, `stderr`), or both in one file in the order written (`text`).
    public enum Output: Sendable {
        case separate
        case combined
    }

    public let pid: pid_t
    public let name: String
    private let stdoutPath: String
    /// nil: stderr goes into stdout's file.
    private let stderrPath: String?
    private let status = Mutex<Int32?>(nil)

    /// - Parameter environment: the child's whole environment (this process's when nil).
    public init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, output: Output = .separate
    ) throws {
        let path = executable.hasPrefix("/") ? executable : try Self.which(executable)
        name = ([executable] + arguments).joined(separator: " ")
        let base = FileManager.default.temporaryDirectory.path + "/burrow-test-proc-\(UUID().uuidString.prefix(12))"
        stdoutPath = base + ".out"
        stderrPath = output == .separate ? base + ".err" : nil
        do {
            pid = try SpawnedProcess.spawn(
                path, arguments, environment: environment ?? ProcessInfo.processInfo.environment,
                stdout: stdoutPath, stderr: stderrPath)
        } catch {
            throw TestFailure("cannot start \(executable): \(error)")
        }
    }

    deinit {
        kill()
        unlink(stdoutPath)
        if let stderrPath { unlink(stderrPath) }
    }

    public static func which(_ name: String) throws -> String {
        do { return try SpawnedProcess.which(name) } catch { throw TestFailure("\(error)") }
    }

    public var stdout: String { Self.read(stdoutPath) }
    public var stderr: String { stderrPath.map(Self.read) ?? "" }
    /// All the output: the one file when combined, else stdout then stderr.
    public var text: String { stdout + stderr }

    private static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    public var isRunning: Bool { exitStatus == nil }

    /// Exit code, or 128 + signal; nil while running.
    public var exitStatus: Int32? {
        reap(blocking: false)
        return status.withLock { $0 }
    }

    private func reap(blocking: Bool) {
        status.withLock { status in
            guard status == nil else { return }
            var raw: Int32 = 0
            var result: pid_t
            repeat { result = waitpid(pid, &raw, blocking ? 0 : WNOHANG) } while result == -1 && errno == EINTR
            if result == pid { status = SpawnedProcess.exitStatus(raw) }
        }
    }

    /// Polls `probe` until it gives a value, the process exits without one,
    /// or `timeout` passes (the error then says `what` and the output).
    private func poll<T>(
        _ what: String, timeout: Duration, every interval: Duration = .milliseconds(25), _ probe: () -> T?
    ) async throws -> T {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let exited = exitStatus
            if let found = probe() { return found }
            if let exited {
                throw TestFailure("\(name) exited (\(exited)) before \(what)\nstdout: \(stdout)\nstderr: \(stderr)")
            }
            if ContinuousClock.now > deadline {
                throw TestFailure("\(name): no \(what) within \(timeout)\nstdout: \(stdout)\nstderr: \(stderr)")
            }
            try await Task.sleep(for: interval)
        }
    }

    /// Waits (bounded) for the process to end; returns its exit status.
    /// Killed when it still runs after `timeout`.
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
        return try await poll("/\(pattern)/", timeout: timeout) {
            let text = inStderr ? stderr : stdout
            guard let match = text.firstMatch(of: regex) else { return nil }
            return match.output.count > 1 ? String(match.output[1].substring ?? "") : String(text[match.range])
        }
    }

    /// Waits (bounded) until the output (`text`) contains `needle`; returns the output.
    @discardableResult
    public func waitForOutput(_ needle: String, timeout: Duration = .seconds(60)) async throws -> String {
        try await poll("'\(needle)'", timeout: timeout, every: .milliseconds(50)) {
            let current = text
            return current.contains(needle) ? current : nil
        }
    }

    /// Waits until a whole line (its line break included) starting with
    /// `prefix` was printed and returns it without the prefix. `waitForOutput`
    /// alone can wake between two writes of one line ("PORT " before its number).
    public func waitForLine(startingWith prefix: String, timeout: Duration = .seconds(60)) async throws -> Substring {
        try await poll("whole line starting with '\(prefix)'", timeout: timeout) {
            let current = text
            // "\r\n" is one Character: isNewline finds both endings.
            guard let range = current.range(of: prefix),
                  let end = current[range.upperBound...].firstIndex(where: \.isNewline) else { return nil }
            return current[range.upperBound..<end]
        }
    }

    public func signal(_ number: Int32) {
        if isRunning { Glibc.kill(pid, number) }
    }

    /// Sends `signal`, waits (bounded) for the exit, SIGKILLs after `timeout`;
    /// returns the exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(10)) -> Int32 {
        if let exit = exitStatus { return exit }
        Glibc.kill(pid, signal)
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if isRunning {
            Glibc.kill(pid, SIGKILL)
            reap(blocking: true)
        }
        return exitStatus ?? -1
    }

    /// Kills the process (SIGKILL) and reaps it.
    public func kill() {
        guard isRunning else { return }
        Glibc.kill(pid, SIGKILL)
        reap(blocking: true)
    }

    /// Runs a command to completion (bounded) and returns it.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, timeout: Duration = .seconds(60)
    ) async throws -> TestProcess {
        let process = try TestProcess(executable, arguments, environment: environment)
        try await process.wait(timeout: timeout)
        return process
    }
}
