#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts a program with posix_spawn the way a shell would: an empty signal
/// mask and default dispositions for the signals this process may ignore or
/// block, which a child would otherwise inherit. Used for the person's
/// editor, the background engine (`burrow up --detach`, the TUI's engine)
/// and every child the tests start (BurrowTestSupport's `SpawnedProcess`).
public enum ProcessSpawner {
    /// The signals a child gets default actions for: those this process
    /// may ignore or handle (SIGINT under a TUI, SIGTERM under a test
    /// runner, SIGCHLD ignored would make the child's children vanish).
    public static let defaultSignals = [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGTSTP, SIGCHLD, SIGWINCH]

    /// Calls `body` with spawn attributes that give the child an empty
    /// signal mask (the swift-testing runner's threads block most signals,
    /// and a child would inherit that) and default actions for
    /// `defaultSignals`; `flags` are added (e.g. POSIX_SPAWN_SETSID).
    public static func withCleanAttributes<T>(flags: Int32 = 0, _ body: (inout posix_spawnattr_t) -> T) -> T {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in defaultSignals { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(Int32(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) | flags))
        return body(&attributes)
    }

    /// Starts `path` with `arguments` (argv, argv[0] included) and returns
    /// its pid at once, for the caller to reap.
    ///
    /// - Parameter daemonLog: nil: the child shares this process's terminal,
    ///   descriptors and session (an editor). A path: the child is a daemon,
    ///   in a session of its own (closing the shell or the TUI does not
    ///   signal it), stdin from /dev/null, stdout and stderr appended to this
    ///   file, no other descriptor inherited, and its working directory `/`.
    public static func spawn(
        _ path: String, _ arguments: [String], environment: [String: String], daemonLog: String? = nil
    ) throws(SpawnError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var session: Int32 = 0
        if let daemonLog {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, daemonLog, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            detach(&actions)
            #if os(Linux)
            session = 0x80  // POSIX_SPAWN_SETSID (glibc ≥ 2.26), hidden from Swift behind _GNU_SOURCE
            #else
            session = Int32(POSIX_SPAWN_SETSID | POSIX_SPAWN_CLOEXEC_DEFAULT)
            #endif
        }
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid = pid_t()
        let result = withCleanAttributes(flags: session) { posix_spawn(&pid, path, &actions, &$0, argv, envp) }
        guard result == 0 else { throw SpawnError(code: result) }
        return pid
    }

    /// SwiftNIO opens sockets without close-on-exec: without this a daemon
    /// would hold the TUI's (or the test runner's) connections open. And a
    /// daemon keeps no directory busy: it starts in `/`.
    private static func detach(_ actions: inout posix_spawn_file_actions_t) {
        #if canImport(Glibc)
        // glibc ≥ 2.34; looked up by name as it is a GNU extension.
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
        }
        // glibc ≥ 2.29; every path the engine uses is absolute.
        typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") {
            _ = unsafeBitCast(symbol, to: AddChdir.self)(&actions, "/")
        }
        #endif
    }
}
