import BurrowAPI
import BurrowConfig
import BurrowCore
import BurrowTestSupport
import Foundation
import Testing

/// `burrow down` is SIGTERM's graceful stop, asked for over the API.
@Suite(.spawnsProcesses, .timeLimit(.minutes(10)))
struct DownTests {
    @Test(.tags(.slow))
    func downLetsAnOpenVisitorFinishThenTheEngineExits() async throws {
        let fixture = try await EngineFixture(mapping: false)
        defer { fixture.remove() }
        let script = try TestScripts.install("slow_http_server.py", in: fixture.root)
        let slow = try TestProcess("python3", [script], output: .combined)
        defer { slow.stop() }
        let port = try #require(Int(try await slow.waitForLine(startingWith: "PORT ").trimmingCharacters(in: .whitespaces)))
        try ConfigStore(directory: fixture.configDir).addMapping(
            protocol: .http, local: LocalAddress(port: port), name: "slow", remotePort: nil, profile: nil, enabled: true)
        let (_, pid) = try await fixture.detach()
        let httpPort = try #require((try await fixture.api("GET", "/engine").object["embeddedRelay"] as? [String: Any])?["httpPort"] as? Int)
        let output = fixture.root + "/download"
        // About 3 s: still running when `down` comes (the drain waits up to 10 s).
        let visitor = try TestProcess("curl", [
            "-sS", "--max-time", "50", "-o", output,
            "--resolve", "slow.localhost:\(httpPort):127.0.0.1", "http://slow.localhost:\(httpPort)/",
        ], output: .combined)
        defer { visitor.stop() }
        let deadline = ContinuousClock.now + .seconds(30)
        while (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int).flatMap({ $0 }) ?? 0 == 0 {
            guard ContinuousClock.now < deadline else { throw TestFailure("the visitor never started: \(visitor.text)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(visitor.isRunning, "the visitor is still downloading when `down` comes")
        let down = try await fixture.burrow("down")
        #expect(down.status == 0 && down.stdout == "stopped burrow up (pid \(pid))\n", "\(down.stdout)\(down.stderr)")
        #expect(try await visitor.wait() == 0, "\(visitor.text)")
        #expect((try FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) == 10_000, "the download finished")
        #expect(EngineLock.holder(configDirectory: fixture.configDir) == nil)
        #expect(kill(pid, 0) != 0 || Self.isZombie(pid), "the engine's process is gone")
    }

    @Test func requestsAndReplayTalkToTheInspector() async throws {
        let fixture = try await EngineFixture()
        defer { fixture.remove() }
        _ = try await fixture.detach()
        let list = try await fixture.burrow("requests", "--json")
        #expect(list.status == 0, "\(list.stderr)")
        #expect((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8))) is [Any], "\(list.stdout)")
        let unknown = try await fixture.burrow("requests", "nosuch")
        #expect(unknown.status == 1 && unknown.stderr.contains("nosuch"), "\(unknown.stdout)\(unknown.stderr)")
        let replay = try await fixture.burrow("replay", "987654")
        #expect(replay.status == 1 && replay.stderr.contains("987654"), "\(replay.stderr)")
        let viaCurl = try await fixture.api("POST", "/requests/987654/replay", body: #"{"confirm":true}"#)
        #expect(viaCurl.status == 404, "\(viaCurl.body)")
        let badBody = try await fixture.api("POST", "/requests/1/replay", body: #"{"confirm":"yes"}"#)
        #expect(badBody.status == 400 && badBody.object["field"] as? String == "confirm", "\(badBody.body)")
        _ = try await fixture.burrow("down")
    }

    @Test func detachReportsAnEngineThatCannotStart() async throws {
        let fixture = try await EngineFixture(mapping: false)
        defer { fixture.remove() }
        // A folder (not empty) where the socket should go: the engine cannot put its socket in place.
        let directory = fixture.root + "/c2"
        try ConfigStore(directory: directory).addMapping(
            protocol: .http, local: LocalAddress(port: fixture.servicePort), name: "web", remotePort: nil, profile: nil, enabled: true)
        let blocker = EngineAPI.socketPath(configDirectory: directory)
        try FileManager.default.createDirectory(atPath: blocker, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: blocker + "/keep", contents: Data())
        let result = try await SpawnedProcess.run(
            EngineFixture.binary, ["--config-dir", directory, "up", "--detach"], environment: fixture.environment, timeout: .seconds(120))
        #expect(result.status == 1)
        #expect(result.stderr.contains("exited before it started"), "\(result.stderr)")
        #expect(result.stderr.contains(directory + "/engine.log"), "names the log: \(result.stderr)")
        #expect(result.stderr.contains("cannot put the socket in place"), "the log's reason: \(result.stderr)")
        #expect(EngineLock.holder(configDirectory: directory) == nil)
    }

    static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }
}
