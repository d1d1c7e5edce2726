import Foundation

/// A child process started by a test, with its output collected. Tests stop
/// it in `defer` with `stop()` (SIGTERM, then SIGKILL after 5 s).
final class TestProcess: Sendable {
    let process: Process
    private let output = Locked<String>("")

    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let output = self.output
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                return
            }
            let text = String(decoding: data, as: UTF8.self)
            output.withLock { $0 += text }
        }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var text: String { output.withLock { $0 } }
    var isRunning: Bool { process.isRunning }

    /// Waits (bounded) until the output contains `needle`; returns the output.
    @discardableResult
    func waitForOutput(_ needle: String, timeout: Duration = .seconds(15)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let current = text
            if current.contains(needle) { return current }
            if !process.isRunning {
                try await Task.sleep(for: .milliseconds(100))
                let final = text
                if final.contains(needle) { return final }
                throw TestFailure("process exited (\(process.terminationStatus)) before printing '\(needle)'; output:\n\(final)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("timed out waiting for '\(needle)'; output:\n\(text)")
    }

    /// Sends `signal` and waits (bounded) for the exit; returns the status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(5)) -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(pid, signal)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    /// Runs a command to completion (bounded) and returns its exit status and output.
    static func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (status: Int32, output: String) {
        let child = try TestProcess(executable, arguments)
        let deadline = ContinuousClock.now + timeout
        while child.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        if child.isRunning {
            child.stop(signal: SIGKILL)
            throw TestFailure("\(executable) \(arguments.joined(separator: " ")) timed out; output:\n\(child.text)")
        }
        try await Task.sleep(for: .milliseconds(30))  // let the last output arrive
        return (child.process.terminationStatus, child.text)
    }
}
