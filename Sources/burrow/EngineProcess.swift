#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BurrowAPI
import BurrowConfig
import BurrowCore
import Foundation
import TerminalUI

/// A `burrow up` in the background: its own session (no terminal, so
/// closing the shell or the TUI does not signal it), stdin from /dev/null,
/// stdout and stderr appended to `CONFIG_DIR/engine.log`. Used by
/// `burrow up --detach` and by the TUI for an engine that can outlive it.
enum EngineProcess {
    /// Starts `burrow up --config-dir DIR EXTRA…`; returns its pid at once.
    /// Pass `--require-api`: a background engine without its socket is out of reach.
    static func spawn(configDirectory: String, extraArguments: [String] = []) throws -> pid_t {
        try AtomicFile.makeDirectory(configDirectory)
        let log = EngineAPI.logPath(configDirectory: configDirectory)
        let executable = selfExecutable
        let arguments = [executable, "up", "--config-dir", configDirectory] + extraArguments
        do {
            return try ProcessSpawner.spawn(executable, arguments, environment: ProcessInfo.processInfo.environment, daemonLog: log)
        } catch {
            throw EngineAPIError.system("cannot start \(executable): \(String(cString: strerror(error.code)))")
        }
    }

    /// Waits (bounded) until the engine started as `pid` answers on its
    /// socket. Throws with the log's tail when it exits first or never answers.
    static func waitForEngine(configDirectory: String, pid: pid_t, timeout: Duration = .seconds(30)) async throws -> EngineAPIClient {
        let deadline = ContinuousClock.now + timeout
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid {
                throw EngineAPIError.system("the engine exited before it started\(logTail(configDirectory))")
            }
            // Until the new engine has put its socket in place, whatever is at
            // the path (nothing, a stale socket, something else) may refuse:
            // that is "not yet", decided by the engine exiting or the deadline.
            do {
                if let client = try await EngineAPIClient.connect(configDirectory: configDirectory), client.engine.pid == pid {
                    return client
                }
            } catch {
                lastError = error
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        // Out of reach: do not leave it running behind the caller's back.
        kill(pid, SIGTERM)
        let why = lastError.map { " (last try: \($0))" } ?? ""
        throw EngineAPIError.system("the engine (pid \(pid)) did not answer within \(timeout)\(why), so it was stopped\(logTail(configDirectory))")
    }

    /// Waits (bounded) until every enabled mapping is online or refused; returns the last snapshot.
    static func waitForMappings(_ client: EngineAPIClient, timeout: Duration = .seconds(30)) async throws -> EngineSnapshot {
        let deadline = ContinuousClock.now + timeout
        var snapshot = try await client.snapshot()
        while ContinuousClock.now < deadline {
            let settled = snapshot.mappings.allSatisfy { item in
                switch item.state {
                case .online, .refused, .disabled: return true
                case .pending: return false
                }
            }
            if settled { break }
            try await Task.sleep(for: .milliseconds(200))
            snapshot = try await client.snapshot()
        }
        return snapshot
    }

    /// ": last lines of LOG:\n…" for an error message (empty when there is no log).
    static func logTail(_ configDirectory: String, lines: Int = 10) -> String {
        let path = EngineAPI.logPath(configDirectory: configDirectory)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return " (no log at \(path))" }
        let tail = text.split(separator: "\n").suffix(lines).joined(separator: "\n")
        return "; the end of \(path):\n\(tail)"
    }

    /// This program, to start it again.
    static var selfExecutable: String {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        #endif
        return ConfigStore.absolutePath(CommandLine.arguments[0])
    }
}
