#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BurrowAPI
import BurrowConfig
import BurrowCore
import Foundation

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
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeInherited(&actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A clean signal mask and default dispositions: ignored signals (SIGINT
        // under a TUI, SIGTERM under a test runner) would otherwise carry over.
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        #if os(Linux)
        flags |= 0x80  // POSIX_SPAWN_SETSID (glibc ≥ 2.26), hidden from Swift behind _GNU_SOURCE
        #else
        flags |= Int32(POSIX_SPAWN_SETSID | POSIX_SPAWN_CLOEXEC_DEFAULT)
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let executable = selfExecutable
        let arguments = [executable, "up", "--config-dir", configDirectory] + extraArguments
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw EngineAPIError.system("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return pid
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

    /// SwiftNIO opens sockets without close-on-exec: without this the
    /// engine would hold the TUI's (or the test runner's) connections open.
    /// And the engine starts in `/`.
    private static func closeInherited(_ actions: inout posix_spawn_file_actions_t) {
        #if canImport(Glibc)
        // glibc ≥ 2.34; looked up by name as it is a GNU extension.
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
        }
        // A daemon keeps no directory busy (glibc ≥ 2.29; every path it uses is absolute).
        typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") {
            _ = unsafeBitCast(symbol, to: AddChdir.self)(&actions, "/")
        }
        #endif
    }

    /// This program, to start it again.
    static var selfExecutable: String {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        #endif
        return ConfigStore.absolutePath(CommandLine.arguments[0])
    }
}
