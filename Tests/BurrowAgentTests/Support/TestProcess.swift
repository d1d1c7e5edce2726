import BurrowTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A child process started by a test, with its stdout and stderr collected
/// in one temp file. Tests stop it in `defer` with `stop()` (SIGTERM, then
/// SIGKILL after 5 s).
///
/// Started with posix_spawn and reaped with `waitpid` on its own pid, not
/// with Foundation's `Process`: that one's shared monitor thread blocked for
/// good in `wait4` on a live `sshd` (which closes the descriptor Foundation
/// watches), and every later wait in the suite hung with it.
final class TestProcess: Sendable {
    let pid: Int32
    private let outputPath: String
    private let status = Locked<Int32?>(nil)

    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil) throws {
        outputPath = NSTemporaryDirectory() + "burrow-agent-test-\(UUID().uuidString.prefix(12)).log"
        // posix_spawn has no portable chdir action here: go through the shell.
        let (program, args) = directory.map { ("/bin/sh", ["-c", "cd \"$0\" && exec \"$@\"", $0, executable] + arguments) }
            ?? (executable, arguments)
        let merged = ProcessInfo.processInfo.environment.merging(environment ?? [:]) { _, new in new }
        do {
            pid = try SpawnedProcess.spawn(program, args, environment: merged, stdout: outputPath, stderr: nil)
        } catch {
            throw TestFailure("cannot start \(executable): \(error)")
        }
    }

    deinit {
        if isRunning { kill(pid, SIGKILL); reap(blocking: true) }
        unlink(outputPath)
    }

    var text: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    var isRunning: Bool {
        reap(blocking: false)
        return status.withLock { $0 } == nil
    }

    /// Exit code, or 128 + signal number; nil while running.
    var terminationStatus: Int32? {
        reap(blocking: false)
        return status.withLock { $0 }
    }

    private func reap(blocking: Bool) {
        status.withLock { status in
            guard status == nil else { return }
            var raw: Int32 = 0
            var result: pid_t
            repeat { result = waitpid(pid, &raw, blocking ? 0 : WNOHANG) } while result == -1 && errno == EINTR
            guard result == pid else { return }
            status = SpawnedProcess.exitStatus(raw)
        }
    }

    /// Waits (bounded) until the output contains `needle`; returns the output.
    @discardableResult
    func waitForOutput(_ needle: String, timeout: Duration = .seconds(60)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let current = text
            if current.contains(needle) { return current }
            if let exit = terminationStatus {
                let final = text
                if final.contains(needle) { return final }
                throw TestFailure("process exited (\(exit)) before printing '\(needle)'; output:\n\(final)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("timed out waiting for '\(needle)'; output:\n\(text)")
    }

    /// Waits until a whole line (newline included) starting with `prefix` was
    /// printed and returns it without the prefix. `waitForOutput` alone can
    /// wake between two reads of one line ("PORT " before its number).
    func waitForLine(startingWith prefix: String, timeout: Duration = .seconds(60)) async throws -> Substring {
        let deadline = ContinuousClock.now + timeout
        while true {
            let current = text
            if let range = current.range(of: prefix),
               let end = current[range.upperBound...].firstIndex(of: "\n") {
                return current[range.upperBound..<end]
            }
            if terminationStatus != nil || ContinuousClock.now >= deadline {
                throw TestFailure("no whole line starting with '\(prefix)'; output:\n\(text)")
            }
            try await Task.sleep(for: .milliseconds(25))
        }
    }

    /// Sends `signal` and waits (bounded) for the exit; returns the status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(5)) -> Int32 {
        if let exit = terminationStatus { return exit }
        kill(pid, signal)
        let deadline = ContinuousClock.now + timeout
        while isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if isRunning {
            kill(pid, SIGKILL)
            reap(blocking: true)
        }
        return terminationStatus ?? -1
    }

    /// Runs a command to completion (bounded) and returns its exit status and output.
    static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (status: Int32, output: String) {
        let path = executable.hasPrefix("/") ? executable : try SpawnPath.which(executable)
        let child = try TestProcess(path, arguments)
        let deadline = ContinuousClock.now + timeout
        while child.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        if child.isRunning {
            child.stop(signal: SIGKILL)
            throw TestFailure("\(executable) \(arguments.joined(separator: " ")) timed out; output:\n\(child.text)")
        }
        return (child.terminationStatus ?? -1, child.text)
    }
}

/// posix_spawn needs a path; tests name programs by name.
enum SpawnPath {
    static func which(_ name: String) throws -> String {
        do { return try SpawnedProcess.which(name) } catch { throw TestFailure("\(error)") }
    }
}
