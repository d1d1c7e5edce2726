import BurrowTestSupport
import BurrowConfig
import BurrowCore
import Foundation
import Testing

/// The built `burrow` binary as a person uses it: inside tmux (120×40,
/// UTF-8, xterm-256color), with a temp config dir and a python3 HTTP server
/// as the local service.
@Suite(.spawnsProcesses, .timeLimit(.minutes(10))) struct TUIEndToEndTests {
    /// `burrow` sits next to the test bundle (swift test builds it).
    static var burrowPath: String { BurrowExecutable.path }

    static func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("burrow-tui-e2e-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path + "/config", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: path + "/site", withIntermediateDirectories: true)
        return path
    }

    static func curl(_ url: String, path: String) throws -> String {
        let curl = try #require(TmuxSession.which("curl"), "curl is not installed")
        return try TmuxSession.execute(curl, ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", url + path]).output
    }

    /// The first `http://…localhost:PORT` (or https) on the screen.
    static func publicURL(in screen: String, name: String, scheme: String = "http") -> String? {
        guard let start = screen.range(of: "\(scheme)://\(name).localhost") else { return nil }
        var url = String(screen[start.lowerBound...].prefix { !$0.isWhitespace && $0 != "…" })
        while let last = url.last, !last.isNumber { url.removeLast() }
        return url.contains(".localhost:") ? url : nil
    }

    @Test func addMappingVisitCopyResizeAndQuit() async throws {
        let burrow = Self.burrowPath
        #expect(FileManager.default.isExecutableFile(atPath: burrow), "no burrow binary at \(burrow)")
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Data("hello from the PC\n".utf8).write(to: URL(fileURLWithPath: root + "/site/index.html"))
        let server = try await LocalHTTPServer(directory: root + "/site")
        defer { server.stop() }
        let tmux = try await TmuxSession.atPrompt(config: root + "/config", columns: 120, rows: 40, colour: true)
        defer { tmux.kill() }
        try tmux.enter(burrow)
        try await tmux.waitFor("the TUI to open") { $0.contains("Mappings (0)") && $0.contains("a add") }

        // a → the form; type the port; Enter saves through ConfigStore.
        try tmux.send("a")
        try await tmux.waitFor("the add form") { $0.contains("Add mapping") }
        try tmux.type(String(server.port))
        try tmux.send("Enter")
        let name = "http-\(server.port)"
        let screen = try await tmux.waitFor("the public URL") { Self.publicURL(in: $0, name: name) != nil && $0.contains("online") }
        let url = try #require(Self.publicURL(in: screen, name: name))
        let saved = try ConfigStore(directory: root + "/config").loadMappings().mappings
        #expect(saved.map(\.name) == [name])

        // A visitor: the count and the request line appear.
        #expect(try Self.curl(url, path: "/e2e-probe") == "404")
        #expect(try Self.curl(url, path: "/") == "200")
        try await tmux.waitFor("the visitor and request lines") { screen in
            screen.contains("total 2") && screen.contains("GET 404 /e2e-probe") && screen.contains("GET 200 /")
                && screen.contains("0/2")
        }

        // c copies the URL: OSC 52 lands in tmux's paste buffer; a toast says so.
        try tmux.send("c")
        try await tmux.waitFor("the toast") { $0.contains("copied \(url)") }
        var buffer = ""
        for _ in 0..<50 where buffer != url {
            buffer = (try? tmux.run(["show-buffer"])) ?? ""
            if buffer != url { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(buffer == url)

        // `burrow map add` in another shell: the table shows it within about a second.
        let cli = try Spawn.run(burrow, ["map", "add", "tcp", "5432", "--name", "other", "--disabled", "--config-dir", root + "/config"])
        #expect(cli.status == 0, "burrow map add failed: \(cli.output)")
        let added = Date()
        try await tmux.waitFor("the mapping added from outside", seconds: 60) { $0.contains("other") && $0.contains("Mappings (2)") }
        #expect(Date().timeIntervalSince(added) < 1.5)

        // Resize: too small says so; back to a usable size redraws cleanly.
        try tmux.run(["resize-window", "-t", "0", "-x", "70", "-y", "20"])
        try await tmux.waitFor("the too-small message") { $0.contains("terminal too small (need 80×24)") }
        try tmux.run(["resize-window", "-t", "0", "-x", "100", "-y", "30"])
        let resized = try await tmux.waitFor("the redraw at 100×30") { $0.contains("Mappings (2)") && !$0.contains("too small") }
        let lines = resized.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first?.contains("burrow") == true)
        #expect(lines.allSatisfy { $0.count <= 100 })

        // q quits: the shell prompt is back and the terminal is usable.
        let after = try await tmux.quitTUI { screen in
            // The last line is a fresh prompt (not the line that started burrow).
            let last = screen.split(separator: "\n").last.map(String.init) ?? ""
            return last.trimmingCharacters(in: .whitespaces) == "e2e$" && !screen.contains("Mappings (")
        }
        #expect(!after.contains("╭"))
        let command = try tmux.run(["display-message", "-p", "-t", "0", "#{pane_current_command}"])
        #expect(command.trimmingCharacters(in: .whitespacesAndNewlines) == "bash")
    }

    @Test func sigtermRestoresTheTerminal() async throws {
        let burrow = Self.burrowPath
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let tmux = try await TmuxSession.atPrompt(config: root + "/config", columns: 100, rows: 30, colour: true)
        defer { tmux.kill() }
        try tmux.enter(burrow + "; echo exit=$?")
        try await tmux.waitFor("the TUI to open") { $0.contains("Mappings (0)") }
        let pid = try tmux.run(["display-message", "-p", "-t", "0", "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        // The shell's child is burrow.
        let children = try TmuxSession.execute("/usr/bin/pgrep", ["-P", pid]).output
        let burrowPID = try #require(Int32(children.split(separator: "\n").first ?? ""))
        Foundation.kill(burrowPID, SIGTERM)
        // The echo's own line (not the command line, which also says "exit=").
        let after = try await tmux.waitFor("the shell prompt after SIGTERM") { screen in
            screen.split(separator: "\n").contains { $0.hasPrefix("exit=") } && !screen.contains("Mappings (")
        }
        #expect(after.split(separator: "\n").contains { $0 == "exit=0" })
        // The terminal is back in cooked mode with echo (endwin ran).
        try tmux.type("stty -a | tr ' ;' '\\n\\n' | grep -x -e icanon -e echo | tr '\\n' ' '; echo modes")
        try tmux.send("Enter")
        try await tmux.waitFor("the terminal modes") { $0.contains("icanon echo modes") }
    }

    @Test func themeFlagBadThemeFileAndNoColor() async throws {
        let burrow = Self.burrowPath
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/config/themes", withIntermediateDirectories: true)
        try Data(##"{"version":1,"name":"broken","colors":{"text":"#12345"}}"##.utf8).write(to: URL(fileURLWithPath: root + "/config/themes/broken.json"))
        let tmux = try await TmuxSession.atPrompt(config: root + "/config", columns: 100, rows: 30)
        defer { tmux.kill() }

        // --theme light: used and saved; the broken file is named in the log pane.
        try tmux.type(burrow + " --theme light")
        try tmux.send("Enter")
        try await tmux.waitFor("the TUI with the light theme") { $0.contains("light · v") }
        let log = try await tmux.waitFor("the theme error in the log") { $0.contains("theme broken.json:1:47: field 'colors.text': invalid colour '#12345'") }
        #expect(log.contains("Log"))
        let colored = try tmux.run(["capture-pane", "-p", "-e", "-t", "0"])
        #expect(colored.contains("48;5;231"))   // light's white background, as a 256-colour index
        let config = try ConfigStore(directory: root + "/config").loadConfig()
        #expect(config.ui.theme == "light")
        try await tmux.quitTUI()

        // NO_COLOR: no colour sequences at all; the selection and header use reverse video.
        try ConfigStore(directory: root + "/config").addMapping(protocol: .http, local: LocalAddress(port: 3000), name: "web",
                                                                remotePort: nil, profile: nil, enabled: false)
        try tmux.type("NO_COLOR=1 " + burrow)
        try tmux.send("Enter")
        try await tmux.waitFor("the TUI without colours") { $0.contains("Mappings (1)") }
        let plain = try tmux.run(["capture-pane", "-p", "-e", "-t", "0"])
        #expect(!plain.contains("38;5;"))
        #expect(!plain.contains("48;5;"))
        #expect(plain.contains("\u{1b}[7m") || plain.contains(";7m"))
        try await tmux.quitTUI()
    }

    /// A TCP port on 127.0.0.1 that nothing listens on (bound, then closed).
    static func closedPort() throws -> Int {
        try FreePorts.take(1)[0]
    }

    @Test func profileSwitcherMovesMappingsAndShowsTheReconnectCountdown() async throws {
        let burrow = Self.burrowPath
        let root = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let server = try await LocalHTTPServer(directory: root + "/site")
        defer { server.stop() }
        let config = root + "/config"
        #expect(try Spawn.run(burrow, ["map", "add", "http", String(server.port), "--name", "web", "--config-dir", config]).status == 0)
        let tmux = try await TmuxSession.atPrompt(config: config, columns: 120, rows: 50)
        defer { tmux.kill() }
        try tmux.enter(burrow)
        try await tmux.waitFor("the mapping online on the embedded relay") { $0.contains("http://web.localhost:") }
        // The embedded relay serves https too, signed by the local CA in the
        // config directory (http first: that CA is not in the system store here).
        let screen = try await tmux.waitFor("the https URL beside it") { $0.contains("(also https://web.localhost:") }
        let https = try #require(Self.publicURL(in: screen, name: "web", scheme: "https"), "\(screen)")
        let curl = try #require(TmuxSession.which("curl"), "curl is not installed")
        let page = try TmuxSession.execute(curl, [
            "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", "--cacert", config + "/local-ca.pem", https + "/",
        ])
        #expect(page.output == "200", "\(https): \(page.output)")

        // Another shell adds (and so selects) a profile whose relay is down:
        // the mapping follows it and the header counts down to the next try.
        let port = try Self.closedPort()
        #expect(try Spawn.run(burrow, ["profile", "add", "far", "127.0.0.1:\(port)", "--config-dir", config]).status == 0)
        try await tmux.waitFor("the reconnect countdown", seconds: 60) { $0.contains("far → 127.0.0.1:\(port)") && $0.contains("reconnecting in") }

        // p lists the profiles; choosing "none" brings the mapping back.
        try tmux.send("p")
        try await tmux.waitFor("the profile switcher") { $0.contains("(none: embedded relay on 127.0.0.1)") && $0.contains("● far") }
        try tmux.send("Up")
        try tmux.send("Enter")
        try await tmux.waitFor("the switch confirmation") { $0.contains("no profile selected") }
        #expect(try ConfigStore(directory: config).loadConfig().selectedProfile == nil)
        try await tmux.waitFor("the mapping back online", seconds: 60) { screen in
            screen.contains("● online") && screen.contains("http://web.localhost:")
        }
        #expect(try ConfigStore(directory: config).loadConfig().selectedProfile == nil)
        try await tmux.quitTUI()
    }
}
