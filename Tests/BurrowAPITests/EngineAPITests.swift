import BurrowAPI
import BurrowConfig
import BurrowCore
import BurrowTestSupport
import Foundation
import Testing

/// Issue 14: the engine's local API, exercised as people use it — the real
/// `burrow up --detach`, curl on the socket, curl through the embedded relay
/// to a real local service.
@Suite(.spawnsProcesses, .timeLimit(.minutes(10)))
struct EngineAPITests {
    @Test(.tags(.slow))
    func detachedEngineServesMappingsChangedThroughTheAPI() async throws {
        let fixture = try await EngineFixture()
        defer { fixture.remove() }
        let (up, pid) = try await fixture.detach()
        #expect(up.stdout.hasPrefix("web  http://web.localhost:"), "\(up.stdout)")
        #expect(up.stderr.contains("pid \(pid)"), "\(up.stderr)")

        // Only the owner may connect.
        var info = stat()
        #expect(stat(fixture.socketPath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        let staging = try FileManager.default.contentsOfDirectory(atPath: fixture.configDir).filter { $0.hasPrefix(".engine-") }
        #expect(staging.isEmpty, "the private folder the socket was bound in is gone: \(staging)")

        let tunnels = try await fixture.api("GET", "/tunnels")
        #expect(tunnels.status == 200)
        let mappings = tunnels.object["mappings"] as? [[String: Any]] ?? []
        #expect(mappings.first?["name"] as? String == "web")
        #expect(mappings.first?["state"] as? String == "online", "\(tunnels.body)")
        let engine = try await fixture.api("GET", "/engine").object
        #expect(engine["pid"] as? Int == Int(pid))
        #expect(engine["owner"] as? String == "burrow up")
        #expect(engine["version"] as? String == BurrowVersion.current)
        let httpPort = try #require((engine["embeddedRelay"] as? [String: Any])?["httpPort"] as? Int)

        // Add: served by a visitor through the embedded relay.
        let added = try await fixture.api("POST", "/mappings", body: #"{"name":"added","protocol":"http","local":\#(fixture.servicePort)}"#)
        #expect(added.status == 201, "\(added.body)")
        _ = try await fixture.waitFor("/mappings") { fixture.mappingState($0, "added") == "online" }
        let page = try await fixture.visit("added", httpPort: httpPort)
        #expect(page.stdout == "hello from the local service\n", "\(page.stdout)\(page.stderr)")

        // Refused input names the field and leaves mappings.json as it was.
        let before = FileManager.default.contents(atPath: fixture.configDir + "/mappings.json")
        let refusals: [(String, Int, String?)] = [
            (#"{"name":"x","protocol":"http","local":"#, 400, nil),
            (#"{"name":"x","protocol":"http","local":"70000"}"#, 400, "local"),
            (#"{"name":"x","protocol":"gopher","local":"3000"}"#, 400, "protocol"),
            (#"{"name":"added","protocol":"http","local":"3000"}"#, 409, "name"),
            (#"{"name":"x","protocol":"http","local":"3000","colour":"red"}"#, 400, "colour"),
            (#"{"name":"Not A Label","protocol":"http","local":"3000"}"#, 400, "name"),
        ]
        for (body, status, field) in refusals {
            let answer = try await fixture.api("POST", "/mappings", body: body)
            #expect(answer.status == status, "\(body) → \(answer.body)")
            #expect(answer.object["field"] as? String == field, "\(body) → \(answer.body)")
            #expect((answer.object["error"] as? String)?.isEmpty == false)
        }
        let badPatch = try await fixture.api("PATCH", "/mappings/added", body: #"{"remotePort":0}"#)
        #expect(badPatch.status == 400 && badPatch.object["field"] as? String == "remotePort", "\(badPatch.body)")
        #expect(try await fixture.api("PATCH", "/mappings/nobody", body: #"{"enabled":false}"#).status == 404)
        #expect(FileManager.default.contents(atPath: fixture.configDir + "/mappings.json") == before)

        // Disable, enable, delete: each through ConfigStore, picked up by the engine.
        let disabled = try await fixture.api("PATCH", "/mappings/added", body: #"{"enabled":false}"#)
        #expect(disabled.status == 200 && disabled.object["enabled"] as? Bool == false, "\(disabled.body)")
        _ = try await fixture.waitFor("/mappings") { fixture.mappingState($0, "added") == "disabled" }
        // The relay drops the forward when the engine withdraws it, a moment after the state changes.
        var withdrawn = false
        for _ in 0..<100 where !withdrawn {
            withdrawn = try await fixture.visit("added", httpPort: httpPort).stdout != "hello from the local service\n"
            if !withdrawn { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(withdrawn, "a disabled mapping is not served")
        _ = try await fixture.api("PATCH", "/mappings/added", body: #"{"enabled":true}"#)
        _ = try await fixture.waitFor("/mappings") { fixture.mappingState($0, "added") == "online" }
        #expect(try await fixture.visit("added", httpPort: httpPort).stdout == "hello from the local service\n")
        let deleted = try await fixture.api("DELETE", "/mappings/added")
        #expect(deleted.status == 200, "\(deleted.body)")
        _ = try await fixture.waitFor("/tunnels") { answer in
            !((answer.object["mappings"] as? [[String: Any]]) ?? []).contains { $0["name"] as? String == "added" }
        }
        #expect(try ConfigStore(directory: fixture.configDir).loadMappings().mappings.map(\.name) == ["web"])

        // Status, then a graceful stop.
        let status = try await fixture.burrow("status")
        #expect(status.status == 0)
        #expect(status.stdout.contains("web   online"), "\(status.stdout)")
        // The tunnel's row says how many of its SSH connections are up (issue 15).
        #expect(status.stdout.range(of: #"online · (\d+)/\1 connections?"#, options: .regularExpression) != nil, "\(status.stdout)")
        let statusJSON = try JSONSerialization.jsonObject(with: Data(try await fixture.burrow("status", "--json").stdout.utf8)) as? [String: Any]
        #expect((statusJSON?["engine"] as? [String: Any])?["pid"] as? Int == Int(pid))
        #expect(((statusJSON?["mappings"] as? [[String: Any]])?.first)?["url"] as? String != nil)
        let down = try await fixture.burrow("down")
        #expect(down.stdout == "stopped burrow up (pid \(pid))\n", "\(down.stdout)\(down.stderr)")
        #expect(EngineLock.holder(configDirectory: fixture.configDir) == nil)
        #expect(!FileManager.default.fileExists(atPath: fixture.socketPath))
        #expect(fixture.log.contains("asked to stop"), "\(fixture.log)")
    }

    @Test func protocolErrorsAreJSON() async throws {
        let fixture = try await EngineFixture(mapping: false)
        defer { fixture.remove() }
        _ = try await fixture.detach()
        let unknown = try await fixture.api("GET", "/nothing")
        #expect(unknown.status == 404 && unknown.object["error"] != nil)
        let outside = try await fixture.api("GET", "/../etc")
        #expect(outside.status == 404)
        let wrong = try await fixture.api("DELETE", "/tunnels")
        #expect(wrong.status == 405 && (wrong.object["error"] as? String)?.contains("GET") == true, "\(wrong.body)")
        let big = fixture.root + "/big.json"
        try Data(repeating: UInt8(ascii: "x"), count: EngineAPI.maxBodyBytes + 10).write(to: URL(fileURLWithPath: big))
        let tooLarge = try await fixture.api("POST", "/mappings", body: "@" + big)
        #expect(tooLarge.status == 413, "\(tooLarge.body.prefix(200))")
        #expect(try await fixture.api("GET", "/requests/12345").status == 404)
        #expect(try await fixture.api("GET", "/requests?limit=0").object["field"] as? String == "limit")
        #expect(try await fixture.api("POST", "/profile", body: #"{"name":"nowhere"}"#).status == 400)
        // Not HTTP NIO can read: still a JSON answer.
        let fd = try UnixSocket.connect(fixture.socketPath)
        defer { close(fd) }
        _ = "BLAH / HTTP/1.1\r\nHost: x\r\n\r\n".withCString { write(fd, $0, strlen($0)) }
        let garbage = try UnixSocket.readResponseHead(fd)
        #expect(garbage.hasPrefix("HTTP/1.1 400") && garbage.contains("application/json"), "\(garbage)")
        // Selecting a profile and none, as the TUI's switcher does (config.json is the record).
        #expect(try await fixture.burrow("profile", "add", "home", "127.0.0.1:1").status == 0)
        try ConfigStore(directory: fixture.configDir).updateConfig { $0.selectedProfile = nil }
        let home = try await fixture.api("POST", "/profile", body: #"{"name":"home"}"#)
        #expect(home.status == 200 && home.object["selectedProfile"] as? String == "home", "\(home.body)")
        #expect(try ConfigStore(directory: fixture.configDir).loadConfig().selectedProfile == "home")
        let none = try await fixture.api("POST", "/profile", body: #"{"name":null}"#)
        #expect(none.status == 200 && none.body.contains("\"selectedProfile\": null"), "\(none.body)")
        #expect(try ConfigStore(directory: fixture.configDir).loadConfig().selectedProfile == nil)
        #expect(try await fixture.api("POST", "/profile", body: #"{}"#).object["field"] as? String == "name")
        _ = try await fixture.burrow("down")
    }

    @Test func secondEngineRefusesNamingTheHolder() async throws {
        let fixture = try await EngineFixture()
        defer { fixture.remove() }
        let (_, pid) = try await fixture.detach()
        let second = try await fixture.burrow("up")
        #expect(second.status == 1)
        let lines = second.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("pid \(pid)"), "\(second.stderr)")
        let detached = try await fixture.burrow("up", "--detach")
        #expect(detached.status == 1 && detached.stderr.contains("pid \(pid)"), "\(detached.stderr)")
        _ = try await fixture.burrow("down")
    }

    @Test(.tags(.slow))
    func staleSocketOfAKilledEngineIsReplaced() async throws {
        let fixture = try await EngineFixture()
        defer { fixture.remove() }
        let (_, pid) = try await fixture.detach()
        kill(pid, SIGKILL)
        try await fixture.waitUntilStopped()
        #expect(FileManager.default.fileExists(atPath: fixture.socketPath), "kill -9 leaves the socket behind")
        let status = try await fixture.burrow("status")
        #expect(status.status == 1 && status.stderr.contains("no engine is running"), "\(status.stderr)")
        let (again, newPID) = try await fixture.detach()
        #expect(newPID != pid)
        #expect(again.stdout.hasPrefix("web  http://web.localhost:"), "\(again.stdout)")
        #expect(try await fixture.api("GET", "/engine").object["pid"] as? Int == Int(newPID))
        _ = try await fixture.burrow("down")
    }

    @Test func silentAndDribblingClientsAreClosed() async throws {
        let fixture = try await EngineFixture(mapping: false)
        defer { fixture.remove() }
        _ = try await fixture.detach()
        for opening in ["", "GET /api/v1/engine HTTP/1.1\r\nHost: x\r\n"] {
            let started = ContinuousClock.now
            let fd = try UnixSocket.connect(fixture.socketPath)
            defer { close(fd) }
            if !opening.isEmpty { _ = opening.withCString { write(fd, $0, strlen($0)) } }
            // Blocks until the engine closes it (or the 30 s receive timeout says it did not).
            #expect(try UnixSocket.readToEnd(fd, timeoutSeconds: 30) == 0, "closed with nothing said")
            #expect(ContinuousClock.now - started < .seconds(25))
        }
        // A client that asks is answered on the same connection, twice (keep-alive).
        let fd = try UnixSocket.connect(fixture.socketPath)
        defer { close(fd) }
        let request = "GET /api/v1/engine HTTP/1.1\r\nHost: x\r\n\r\n"
        for _ in 0..<2 {
            _ = request.withCString { write(fd, $0, strlen($0)) }
            let answer = try UnixSocket.readResponseHead(fd)
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
        }
        _ = try await fixture.burrow("down")
    }

    @Test func commandsWithoutAnEngine() async throws {
        let fixture = try await EngineFixture()
        defer { fixture.remove() }
        let status = try await fixture.burrow("status")
        #expect(status.status == 1)
        #expect(status.stderr.contains("no engine is running for \(fixture.configDir)"), "\(status.stderr)")
        let down = try await fixture.burrow("down")
        #expect(down.status == 0 && down.stdout.contains("no engine is running"), "\(down.stdout)")
        #expect(try await fixture.burrow("requests").status == 1)
        #expect(try await fixture.burrow("replay", "1").status == 1)
        #expect(try await EngineAPIClient.connect(configDirectory: fixture.configDir) == nil)
    }

    @Test(.tags(.slow))
    func ownerExitStopsTheEngineUnlessKept() async throws {
        for keep in [false, true] {
            let fixture = try await EngineFixture()
            defer { fixture.remove() }
            let owner = try TestProcess("sleep", ["3"])
            _ = try await fixture.detach("--owner-pid", String(owner.pid), "--always-embedded")
            #expect(try await fixture.api("GET", "/engine").object["owner"] as? String == "tui")
            if keep {
                let kept = try await fixture.api("POST", "/engine/keep")
                #expect(kept.object["owner"] as? String == "burrow up", "\(kept.body)")
            }
            _ = try await owner.wait()
            if keep {
                try await Task.sleep(for: .seconds(2))
                #expect(EngineLock.holder(configDirectory: fixture.configDir) != nil, "kept: outlives its owner")
                _ = try await fixture.burrow("down")
            } else {
                try await fixture.waitUntilStopped()
                #expect(fixture.log.contains("the owning process \(owner.pid) exited"), "\(fixture.log)")
            }
        }
    }

    @Test func clientFollowsEventsAndChangesMappings() async throws {
        let fixture = try await EngineFixture()
        defer { fixture.remove() }
        _ = try await fixture.detach()
        let client = try #require(try await EngineAPIClient.connect(configDirectory: fixture.configDir))
        let events = client.events()
        // The subscription is open once the engine answered its head; give it a beat.
        try await Task.sleep(for: .milliseconds(300))
        let mapping = Mapping(name: "later", protocol: .http, local: LocalAddress(port: fixture.servicePort))
        #expect(try await client.addMapping(mapping) == mapping)
        let online = Task {
            for await event in events {
                if case .online(let name, _, _, _) = event, name == "later" { return true }
            }
            return false
        }
        let timeout = Task {
            try? await Task.sleep(for: .seconds(60))
            online.cancel()
        }
        #expect(await online.value, "an online event for 'later'; log:\n\(fixture.log)")
        timeout.cancel()
        await #expect(throws: EngineAPIError.self) { try await client.addMapping(mapping) }
        let snapshot = try await client.snapshot()
        #expect(snapshot.mappings.map(\.mapping.name).sorted() == ["later", "web"])
        #expect(snapshot.mappings.allSatisfy { $0.state == .online || $0.state == .pending })
        try await client.setMapping(named: "later", enabled: false)
        var edited = mapping
        edited.enabled = false
        edited.allow = [try CIDR(parsing: "127.0.0.0/8")]
        #expect(try await client.editMapping(named: "later", to: edited) == edited)
        #expect(try ConfigStore(directory: fixture.configDir).loadMappings().mapping(named: "later") == edited)
        try await client.removeMapping(named: "later")
        #expect(try await client.exchanges(mapping: nil, limit: 10).isEmpty || true)

        // The stream ends when the engine goes away.
        let ended = Task { for await _ in events {}; return true }
        try await client.stop()
        let guardTask = Task {
            try? await Task.sleep(for: .seconds(60))
            ended.cancel()
        }
        #expect(await ended.value)
        guardTask.cancel()
        try await fixture.waitUntilStopped()
    }

    @Test func eventsStreamOverCurlAsServerSentEvents() async throws {
        let fixture = try await EngineFixture()
        defer { fixture.remove() }
        _ = try await fixture.detach()
        let curl = try TestProcess("curl", [
            "-sS", "-N", "-v", "--max-time", "60", "-H", "Accept: text/event-stream",
            "--unix-socket", fixture.socketPath, "http://burrow/api/v1/events",
        ], output: .combined)
        defer { curl.stop() }
        // The head is written once the subscription is made (-v: on stderr, unbuffered).
        _ = try await curl.waitForLine(startingWith: "< HTTP/1.1 200")
        #expect(curl.text.lowercased().contains("content-type: text/event-stream"))
        let added = try await fixture.api("POST", "/mappings", body: #"{"name":"sse","protocol":"http","local":"\#(fixture.servicePort)"}"#)
        #expect(added.status == 201, "\(added.body)")
        let data = try await curl.waitForLine(startingWith: "data: {\"alsoURL\"", timeout: .seconds(60))
        #expect(data.contains(#""event":"online""#) && data.contains(#""name":"sse""#), "\(curl.text)")
        #expect(curl.text.contains("event: online\n"), "\(curl.text)")
        _ = try await fixture.burrow("down")
        #expect(try await curl.wait() == 0, "the stream ends with the engine: \(curl.text)")
    }

    @Test func serviceInstallWithoutSystemd() async throws {
        let fixture = try await EngineFixture(mapping: false)
        defer { fixture.remove() }
        let xdg = fixture.root + "/xdg"
        let unit = xdg + "/systemd/user/burrow.service"
        // No systemctl on this PATH: "without systemd" whatever runs the machine
        // (a CI machine booted by systemd must not get a real unit enabled).
        let noSystemctl = fixture.root + "/bin"
        try FileManager.default.createDirectory(atPath: noSystemctl, withIntermediateDirectories: true)
        let environment = ["XDG_CONFIG_HOME": xdg, "PATH": noSystemctl]
        let install = try await fixture.burrow("service", "install", environment: environment)
        #expect(install.status == 0, "\(install.stderr)")
        #expect(install.stdout.contains(unit))
        let text = try String(contentsOfFile: unit, encoding: .utf8)
        #expect(text.contains("ExecStart=\(EngineFixture.binary) up --config-dir \(fixture.configDir)") || text.contains(" up --config-dir \(fixture.configDir)"), "\(text)")
        #expect(install.stdout.contains("systemctl --user enable --now burrow.service"), "\(install.stdout)")
        // Ours: installing again replaces it.
        #expect(try await fixture.burrow("service", "install", environment: environment).status == 0)
        // Edited by hand: left alone without --force.
        try (text + "Nice=5\n").write(toFile: unit, atomically: true, encoding: .utf8)
        let refused = try await fixture.burrow("service", "install", environment: environment)
        #expect(refused.status == 1 && refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: unit, encoding: .utf8).hasSuffix("Nice=5\n"))
        #expect(try await fixture.burrow("service", "uninstall", environment: environment).status == 1)
        #expect(try await fixture.burrow("service", "status", environment: environment).stdout.contains("edited by hand"))
        #expect(try await fixture.burrow("service", "install", "--force", environment: environment).status == 0)
        #expect(try await fixture.burrow("service", "uninstall", environment: environment).status == 0)
        #expect(!FileManager.default.fileExists(atPath: unit))
        // The relay's system unit, into a directory of the test's.
        let relay = try await fixture.burrow("service", "install", "--relay", "--unit-dir", fixture.root + "/system", "--", "--domain", "example.com", environment: environment)
        #expect(relay.status == 0, "\(relay.stderr)")
        #expect(try String(contentsOfFile: fixture.root + "/system/burrow-relay.service", encoding: .utf8).contains(" serve --domain example.com"))
    }
}
