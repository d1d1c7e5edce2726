import BurrowTestSupport
import Foundation
import Testing
import TerminalUI
#if canImport(Glibc)
import Glibc
#endif

/// The one posix_spawn of the editor and the background engine: a child
/// with the signals a shell gives it, and (as a daemon) in a session of its
/// own with its output in the log, no inherited descriptor and `/` as its
/// working directory. Real children (/bin/sh) read their own /proc entry.
@Suite(.spawnsProcesses) struct ProcessSpawnerTests {
    /// Signal numbers (1-based) set in a /proc status mask like "SigIgn:\t0000000000001000".
    static func signals(_ status: String, _ field: String) -> Set<Int32> {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let mask = UInt64(line.split(whereSeparator: \.isWhitespace).last ?? "", radix: 16) else { return [] }
        return Set((1...64).filter { mask & (1 << UInt64($0 - 1)) != 0 }.map(Int32.init))
    }

    static func waitForExit(_ pid: pid_t) -> Int32 {
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) == -1, errno == EINTR {}
        return SpawnedProcess.exitStatus(raw)
    }

    @Test func aDaemonHasItsOwnSessionTheLogNoInheritedDescriptorAndRoot() throws {
        let directory = FileManager.default.temporaryDirectory.path + "/burrow-spawner-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A descriptor of this process without close-on-exec (as SwiftNIO's sockets are).
        let leaked = open(directory + "/leak", O_WRONLY | O_CREAT, 0o600)
        #expect(leaked > 2)
        defer { close(leaked) }
        let log = directory + "/engine.log"
        // The shell's own masks first, read by its builtins: after a fork
        // the shell blocks every signal for a moment, and a child reading
        // /proc/PARENT/status could see that.
        let script = """
            while read -r line; do case "$line" in Sig*) echo "$line";; esac; done < /proc/$$/status
            echo "session $(cut -d' ' -f6 /proc/$$/stat)"; echo "cwd $(pwd)"; echo "fds $(ls /proc/$$/fd | tr '\\n' ' ')"
            echo "to stderr" >&2
            """
        let pid = try ProcessSpawner.spawn(
            "/bin/sh", ["/bin/sh", "-c", script], environment: ProcessInfo.processInfo.environment, daemonLog: log)
        #expect(Self.waitForExit(pid) == 0)
        let output = try String(contentsOfFile: log, encoding: .utf8)
        #expect(output.contains("session \(pid)\n"), "a session of its own (its pid): \(output)")
        #expect(output.contains("session \(getsid(0))\n") == false)
        #expect(output.contains("cwd /\n"), "\(output)")
        let descriptors = output.split(separator: "\n").first { $0.hasPrefix("fds ") }?.split(separator: " ").dropFirst() ?? []
        #expect(!descriptors.contains(Substring(String(leaked))), "\(output)")
        #expect(output.contains("to stderr"), "stderr goes to the log too: \(output)")
        #expect(Self.signals(output, "SigBlk").isEmpty, "\(output)")
        #expect(Self.signals(output, "SigIgn").isDisjoint(with: [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGTSTP]), "\(output)")
    }

    @Test func aPlainChildExitsWithItsStatusAndAMissingProgramIsENOENT() throws {
        let pid = try ProcessSpawner.spawn("/bin/sh", ["/bin/sh", "-c", "exit 7"], environment: [:])
        #expect(Self.waitForExit(pid) == 7)
        #expect(throws: SpawnError(code: ENOENT)) {
            try ProcessSpawner.spawn("/nonexistent/burrow", ["burrow"], environment: [:])
        }
    }

    @Test func theEditorRunsOnTheFileAndItsExitIsTheOutcome() throws {
        let path = FileManager.default.temporaryDirectory.path + "/burrow-edit-\(UUID().uuidString.prefix(8)).json"
        defer { unlink(path) }
        var environment = ProcessInfo.processInfo.environment
        environment["VISUAL"] = nil
        environment["EDITOR"] = "printf edited >"
        #expect(ExternalEditor.edit(path, environment: environment) == .exited(0))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "edited")
        environment["EDITOR"] = "sh -c 'exit 3'"
        #expect(ExternalEditor.edit(path, environment: environment) == .exited(3))
    }
}
