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
        let pid: pid_t
        do {
            pid = try ProcessSpawner.spawn("/bin/sh", arguments, environment: environment)
        } catch {
            return .cannotStart(error.code)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { return .cannotStart(errno) }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift cannot call.
        if status & 0x7F == 0 { return .exited((status >> 8) & 0xFF) }
        return .signalled(status & 0x7F)
    }
}
