#if canImport(Glibc)
import Glibc
#endif

/// The swift-testing runner's threads block most signals and a spawned child
/// inherits that mask: without resetting it, SIGTERM never reaches python3 or
/// openssl (a test's `kill` does nothing and the child outlives the test) and
/// SIGWINCH never reaches burrow inside tmux. Every spawner in the test
/// targets starts its children through this.
public enum ChildSignals {
    /// Calls `body` with spawn attributes that give the child an empty signal
    /// mask and default actions for the signals tests send or rely on.
    public static func withCleanAttributes<T>(_ body: (inout posix_spawnattr_t) -> T) -> T {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD, SIGWINCH] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        return body(&attributes)
    }
}
