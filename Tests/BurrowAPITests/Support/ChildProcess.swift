import BurrowTestSupport
import Foundation
import Synchronization

/// A program a test starts and stops (a local service, `sleep`, a foreground
/// `burrow up`), its stdout and stderr in one temp file, reaped by pid.
final class ChildProcess: Sendable {
    let pid: pid_t
    private let outputPath: String
    private let status = Mutex<Int32?>(nil)

    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        outputPath = NSTemporaryDirectory() + "burrow-api-test-\(UUID().uuidString.prefix(12)).log"
        pid = try SpawnedProcess.spawn(
            try SpawnedProcess.which(executable), arguments, environment: environment ?? ProcessInfo.processInfo.environment,
            stdout: outputPath, stderr: nil)
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

    var exitStatus: Int32? {
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

    /// Waits (bounded) for the process to exit; returns its status.
    func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let exit = exitStatus { return exit }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw APITestFailure("pid \(pid) still running after \(timeout); output:\n\(text)")
    }

    /// Waits for a whole line starting with `prefix`; returns the rest of it.
    func line(startingWith prefix: String, timeout: Duration = .seconds(60)) async throws -> Substring {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let current = text
            if let range = current.range(of: prefix), let end = current[range.upperBound...].firstIndex(where: \.isNewline) {  // "\r\n" is one Character
                return current[range.upperBound..<end]
            }
            if exitStatus != nil { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        throw APITestFailure("no line starting with '\(prefix)'; output:\n\(text)")
    }

    func stop(signal: Int32 = SIGTERM) {
        guard isRunning else { return }
        kill(pid, signal)
        let deadline = ContinuousClock.now + .seconds(10)
        while isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if isRunning {
            kill(pid, SIGKILL)
            reap(blocking: true)
        }
    }
}

struct APITestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
