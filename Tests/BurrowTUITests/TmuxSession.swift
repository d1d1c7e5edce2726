import Foundation
import Testing

/// A tmux server of its own (unique `-L` socket) running one shell in a
/// fixed-size window: the test's terminal. `kill()` in `defer`.
final class TmuxSession {
    let socket: String
    let tmux: String

    init(columns: Int, rows: Int, environment: [String: String]) throws {
        socket = "burrow-tui-\(getpid())-\(UUID().uuidString.prefix(8))"
        tmux = try #require(Self.which("tmux"), "tmux is not installed")
        var arguments = ["-f", "/dev/null", "new-session", "-d", "-x", String(columns), "-y", String(rows)]
        for (key, value) in environment.sorted(by: { $0.key < $1.key }) { arguments += ["-e", "\(key)=\(value)"] }
        arguments += ["bash --norc --noprofile"]
        try run(arguments)
        try run(["set-option", "-g", "set-clipboard", "on"])
        // A known prompt, so a test can see the shell is back.
        try run(["send-keys", "-t", "0", "-l", "PS1='e2e$ '; clear"])
        try run(["send-keys", "-t", "0", "Enter"])
    }

    /// A session for the TUI with `config` as BURROW_CONFIG_DIR, in UTF-8 and
    /// 256 colours (NO_COLOR set unless `colour`; `environment` overrides),
    /// once its shell prompt is shown.
    static func atPrompt(config: String, columns: Int, rows: Int, colour: Bool = false,
                         environment: [String: String] = [:]) async throws -> TmuxSession {
        var base = ["LANG": "C.UTF-8", "TERM": "xterm-256color", "BURROW_CONFIG_DIR": config]
        if !colour { base["NO_COLOR"] = "" }
        let session = try TmuxSession(columns: columns, rows: rows, environment: base.merging(environment) { _, new in new })
        do {
            try await session.waitFor("the shell") { $0.hasPrefix("e2e$") }
        } catch {
            session.kill()
            throw error
        }
        return session
    }

    /// Types `command` at the prompt and presses Enter.
    func enter(_ command: String) throws {
        try type(command)
        try send("Enter")
    }

    /// The pane's last line is the shell's prompt.
    static func atShellPrompt(_ screen: String) -> Bool {
        (screen.split(separator: "\n").last ?? "").trimmingCharacters(in: .whitespaces) == "e2e$"
    }

    /// Quits the TUI with `q`, answering "n: stop them" when it asks whether
    /// to keep the tunnels it started running, and waits for the shell prompt.
    @discardableResult
    func quitTUI(until condition: @escaping (String) -> Bool = TmuxSession.atShellPrompt) async throws -> String {
        try send("q")
        let question = "Keep the tunnels running in the background?"
        let screen = try await waitFor("the keep question or the shell prompt") { $0.contains(question) || condition($0) }
        guard screen.contains(question) else { return screen }
        try send("n")
        return try await waitFor("the shell prompt", condition)
    }

    func kill() {
        _ = try? run(["kill-server"])
    }

    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        try Self.execute(tmux, ["-L", socket] + arguments).output
    }

    func send(_ keys: String...) throws {
        try run(["send-keys", "-t", "0"] + keys)
    }

    /// Sends text literally (no key-name lookup).
    func type(_ text: String) throws {
        try run(["send-keys", "-t", "0", "-l", text])
    }

    func capture() throws -> String {
        try run(["capture-pane", "-p", "-t", "0"])
    }

    /// Polls the pane until `condition` holds, for at most `seconds`.
    @discardableResult
    func waitFor(_ what: String, seconds: Double = 60, _ condition: (String) -> Bool) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var screen = ""
        while Date() < deadline {
            screen = try capture()
            if condition(screen) { return screen }
            try await Task.sleep(for: .milliseconds(100))
        }
        let timeout = WaitTimeout(what: what, screen: screen)
        // Also on stderr: the thrown error's text did not always reach the test log.
        FileHandle.standardError.write(Data((timeout.description + "\n").utf8))
        throw timeout
    }

    static func which(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static func execute(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try Spawn.run(path, arguments)
    }
}

/// What a test waited for and never saw, with the pane as it was.
struct WaitTimeout: Error, CustomStringConvertible {
    var what: String
    var screen: String
    var description: String { "timed out waiting for \(what); the pane shows:\n\(screen)" }
}
