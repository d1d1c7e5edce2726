import BurrowTestSupport
import BurrowConfig
import Foundation
import Testing

/// Issue 14: tunnels that outlive the TUI. The real `burrow` binary in tmux,
/// a background engine (`burrow up --detach`), TUIs attaching to it, and a
/// TUI's own engine kept running (or stopped) when it quits.
@Suite(.spawnsProcesses, .tags(.slow), .timeLimit(.minutes(10))) struct EngineAttachTests {
    static let prompt: @Sendable (String) -> Bool = { TmuxSession.atShellPrompt($0) }

    /// `burrow up --detach`: returns once the mapping is online, printing `NAME  URL -> LOCAL`.
    static func detach(_ burrow: String, config: String) throws -> String {
        let up = try Spawn.run(burrow, ["up", "--detach", "--config-dir", config])
        #expect(up.status == 0, "\(up.output)")
        return up.output
    }

    /// `curl -s -o /dev/null -w %{http_code}` (000 when nothing answers).
    static func status(_ url: String) throws -> String {
        try TUIEndToEndTests.curl(url, path: "/")
    }

    /// One test's world: a temp root, a local web server on `root/site` with
    /// `files` in it, and an http mapping "web" to it in `config`. `close()`
    /// (in `defer`) stops any engine left on the config, the server, and removes the files.
    final class Scene {
        let burrow = TUIEndToEndTests.burrowPath
        let root: String
        let config: String
        let server: LocalHTTPServer

        init(files: [String: Data]) async throws {
            root = try TUIEndToEndTests.temporaryDirectory()
            config = root + "/config"
            for (name, data) in files { try data.write(to: URL(fileURLWithPath: root + "/site/" + name)) }
            server = try await LocalHTTPServer(directory: root + "/site")
            let added = try Spawn.run(burrow, ["map", "add", "http", String(server.port), "--name", "web", "--config-dir", config])
            #expect(added.status == 0, "\(added.output)")
        }

        /// Runs `burrow` in `tmux` (it starts its own engine) and returns the mapping's URL once online.
        func openTUI(in tmux: TmuxSession) async throws -> String {
            try tmux.enter(burrow)
            let screen = try await tmux.waitFor("the mapping online") { TUIEndToEndTests.publicURL(in: $0, name: "web") != nil && $0.contains("online") }
            #expect(!screen.contains("attached to"))
            return try #require(TUIEndToEndTests.publicURL(in: screen, name: "web"))
        }

        func close() {
            _ = try? Spawn.run(burrow, ["down", "--config-dir", config])
            server.stop()
            try? FileManager.default.removeItem(atPath: root)
        }
    }

    /// True while `url` serves this test's own page (`marker` in its body).
    /// Once our engine is gone, another test's embedded relay may take the
    /// same port (and even a mapping named "web"): only the marker tells.
    static func serves(_ url: String, _ marker: String) throws -> Bool {
        let curl = try #require(TmuxSession.which("curl"), "curl is not installed")
        return try TmuxSession.execute(curl, ["-s", "--max-time", "5", url + "/"]).output.contains(marker)
    }

    @Test func attachedTUIsShareTheEngineAndLeaveItRunning() async throws {
        let marker = "attach-test-\(UUID().uuidString)"
        let scene = try await Scene(files: ["index.html": Data("\(marker)\n".utf8)])
        defer { scene.close() }
        let (burrow, config, server) = (scene.burrow, scene.config, scene.server)
        let printed = try Self.detach(burrow, config: config)
        let web = try #require(TUIEndToEndTests.publicURL(in: printed, name: "web"), "\(printed)")
        #expect(try Self.status(web) == "200")

        // Two TUIs attach at once; both say so in the header and show the mapping online.
        let first = try await TmuxSession.atPrompt(config: config, columns: 120, rows: 40)
        defer { first.kill() }
        let second = try await TmuxSession.atPrompt(config: config, columns: 120, rows: 40)
        defer { second.kill() }
        try first.enter(burrow)
        try second.enter(burrow)
        for tmux in [first, second] {
            try await tmux.waitFor("the attached header and the mapping") {
                $0.contains("attached to burrow up (pid") && $0.contains("http://web.localhost:") && $0.contains("online")
            }
        }

        // A mapping added in the first TUI is served, and the second sees it.
        try first.send("a")
        try await first.waitFor("the add form") { $0.contains("Add mapping") }
        try first.type(String(server.port))
        try first.send("Enter")
        let name = "http-\(server.port)"
        let screen = try await first.waitFor("the new URL") { TUIEndToEndTests.publicURL(in: $0, name: name) != nil }
        let added = try #require(TUIEndToEndTests.publicURL(in: screen, name: name))
        #expect(try Self.status(added) == "200")
        try await second.waitFor("the new mapping in the second TUI") { TUIEndToEndTests.publicURL(in: $0, name: name) != nil }

        // Quitting an attached TUI asks nothing and leaves every URL up.
        try first.send("q")
        try await first.waitFor("the shell prompt", Self.prompt)
        #expect(try Self.status(web) == "200")
        #expect(try Self.status(added) == "200")
        try second.send("q")
        try await second.waitFor("the shell prompt", Self.prompt)
        #expect(try Self.status(added) == "200")

        let down = try Spawn.run(burrow, ["down", "--config-dir", config])
        #expect(down.status == 0 && down.output.contains("stopped burrow up (pid"), "\(down.output)")
        #expect(try !Self.serves(web, marker))
    }

    @Test func keepingTheTUIsOwnEngineLetsADownloadFinish() async throws {
        // 8 MiB at 1 MiB/s: the download is in flight when the TUI quits.
        let size = 8 << 20
        let scene = try await Scene(files: ["big.bin": Data(repeating: 0x61, count: size)])
        defer { scene.close() }
        let (burrow, config, root) = (scene.burrow, scene.config, scene.root)
        let tmux = try await TmuxSession.atPrompt(config: config, columns: 120, rows: 40)
        defer { tmux.kill() }
        let url = try await scene.openTUI(in: tmux)

        let curl = try #require(TmuxSession.which("curl"), "curl is not installed")
        let downloadPath = root + "/download.bin"
        let download = try Spawn.start(curl, ["-s", "--max-time", "60", "--limit-rate", "1M", "-o", downloadPath, url + "/big.bin"])
        try await Task.sleep(for: .seconds(2))

        try tmux.send("q")
        try await tmux.waitFor("the keep question") { $0.contains("Keep the tunnels running in the background?") }
        try tmux.send("y")
        try await tmux.waitFor("the shell prompt", Self.prompt)

        #expect(Spawn.wait(download) == 0)
        let got = (try? FileManager.default.attributesOfItem(atPath: downloadPath)[.size] as? Int) ?? nil
        #expect(got == size)
        // The URL did not change: the same address still serves.
        #expect(try Self.status(url) == "200")
        let status = try Spawn.run(burrow, ["status", "--config-dir", config])
        #expect(status.status == 0 && status.output.contains(url), "\(status.output)")

        // A new TUI attaches to that engine.
        try tmux.enter(burrow)
        try await tmux.waitFor("the attached header") { $0.contains("attached to") && $0.contains("http://web.localhost:") }
        try tmux.send("q")
        try await tmux.waitFor("the shell prompt", Self.prompt)
        #expect(try Self.status(url) == "200")
    }

    @Test func answeringNoStopsTheTUIsOwnEngine() async throws {
        let marker = "attach-test-\(UUID().uuidString)"
        let scene = try await Scene(files: ["index.html": Data("\(marker)\n".utf8)])
        defer { scene.close() }
        let (burrow, config) = (scene.burrow, scene.config)
        let tmux = try await TmuxSession.atPrompt(config: config, columns: 120, rows: 40)
        defer { tmux.kill() }
        let url = try await scene.openTUI(in: tmux)
        #expect(try Self.status(url) == "200")

        try tmux.send("q")
        try await tmux.waitFor("the keep question") { $0.contains("Keep the tunnels running in the background?") }
        try tmux.send("n")
        try await tmux.waitFor("the shell prompt", Self.prompt)
        #expect(try !Self.serves(url, marker))
        let status = try Spawn.run(burrow, ["status", "--config-dir", config])
        #expect(status.status != 0 && status.output.contains("no engine"), "\(status.output)")
    }

    /// The inspector as a person uses it: a request with a bearer token is
    /// opened from the detail pane, the token is masked until `v`, and `r`
    /// sends it once more to the local service (whose log counts it).
    @Test func inspectorMasksTheTokenAndReplaysToTheService() async throws {
        let scene = try await Scene(files: ["hello.txt": Data("hello\n".utf8)])
        defer { scene.close() }
        let root = scene.root
        let tmux = try await TmuxSession.atPrompt(config: scene.config, columns: 120, rows: 45)
        defer { tmux.kill() }
        let url = try await scene.openTUI(in: tmux)
        let curl = try #require(TmuxSession.which("curl"), "curl is not installed")
        let fetched = try TmuxSession.execute(curl, ["-s", "--max-time", "5", "-H", "Authorization: Bearer s3cret-token-42", url + "/hello.txt"])
        #expect(fetched.output == "hello\n")
        try await tmux.waitFor("the request in the detail pane") { $0.contains("/hello.txt") }

        // Enter focuses the detail pane, ↓ selects a request, Enter opens it.
        // Other tests' visitors may reach this embedded relay too (they share
        // port 8080 and the name "web"): open the requests in turn until ours.
        try tmux.send("Enter")
        var record = ""
        for _ in 0..<6 {
            try tmux.send("Down")
            try tmux.send("Enter")
            let opened = try await tmux.waitFor("a request's record") { $0.contains("REQUEST HEADERS") }
            if opened.contains("GET /hello.txt HTTP/1.1") {
                record = opened
                break
            }
            try tmux.send("Escape")
            try await tmux.waitFor("the record closed") { !$0.contains("REQUEST HEADERS") }
        }
        try #require(!record.isEmpty, "the request to /hello.txt was never found in the list")
        #expect(record.contains("Authorization: Bearer ••••••"), "\(record)")
        #expect(!record.contains("s3cret-token-42"))
        try tmux.send("v")
        try await tmux.waitFor("the token revealed") { $0.contains("Authorization: Bearer s3cret-token-42") }

        let log = root + "/http-server.log"
        func served() -> Int {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            return text.components(separatedBy: "\"GET /hello.txt HTTP/1.1\" 200").count - 1
        }
        #expect(served() == 1)
        try tmux.send("r")
        try await tmux.waitFor("the replay's answer") { $0.contains("REPLAY #") && $0.contains("200") }
        try await Task.sleep(for: .milliseconds(300))
        #expect(served() == 2)
        try tmux.send("Escape")
        try await tmux.quitTUI()
    }
}
