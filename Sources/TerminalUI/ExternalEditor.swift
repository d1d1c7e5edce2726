#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the person's editor (`$VISUAL`, `$EDITOR`, else `vi`) on a file, in
/// the foreground, and waits for it. Call it inside
/// `Screen.releaseTerminal(while:)` so the editor has the terminal.
public enum ExternalEditor {
    /// The editor command line, as the shell will read it ("code --wait" works).
    public static func command(environment: [String: String]) -> String {
        for name in ["VISUAL", "EDITOR"] {
            if let value = environment[name], !value.allSatisfy(\.isWhitespace) { return value }
        }
        return "vi"
    }

    /// How the editor ended.
    public enum Outcome: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
        case cannotStart(Int32)
    }

    /// `sh -c 'EDITOR "$1"' burrow-edit PATH`, waited for.
    public static func edit(_ path: String, environment: [String: String]) -> Outcome {
        let script = command(environment: environment) + " \"$1\""
        let arguments = ["/bin/sh", "-c", script, "burrow-edit", path]
        let variables = environment.map { "\($0.key)=\($0.value)" }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The editor gets the signals a shell would give it, whatever this process did with them.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGTSTP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid = pid_t()
        let started = posix_spawn(&pid, "/bin/sh", nil, &attributes, &argv, &envp)
        guard started == 0 else { return .cannotStart(started) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { return .cannotStart(errno) }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot call.
        if status & 0x7F == 0 { return .exited((status >> 8) & 0xFF) }
        return .signalled(status & 0x7F)
    }
}
