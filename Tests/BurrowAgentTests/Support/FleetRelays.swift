import BurrowConfig
import BurrowCore
import BurrowTestSupport
import Foundation

/// Three (or `count`) independent `burrow serve` relays on 127.0.0.1, each
/// with its own state directory authorizing one agent config's key, on fixed
/// free ports so a relay killed with SIGKILL comes back at the same address
/// (and with the same host key, which the agent pinned). `remove()` stops
/// every process this started and removes the directories.
final class FleetRelays {
    struct Member {
        var state: TestDirectory
        var sshPort: Int
        var httpPort: Int
        var arguments: [String]
        var endpoint: String { "127.0.0.1:\(sshPort)" }
    }

    let config: TestDirectory
    let store: ConfigStore
    private(set) var members: [Member] = []
    private var running: [Int: TestProcess] = [:]
    private var others: [TestProcess] = []

    init(count: Int = 3) throws {
        config = try TestDirectory("burrow-fleet-config")
        store = ConfigStore(directory: config.path)
        let key = try store.identity(for: nil).publicKeyLine
        for _ in 0..<count {
            let state = try TestDirectory("burrow-fleet-state")
            try state.write("authorized_keys", key + "\n", mode: 0o600)
            let sshPort = try Ports.free()
            let httpPort = try Ports.free()
            let window = TestRelay.portWindow()
            members.append(Member(
                state: state, sshPort: sshPort, httpPort: httpPort,
                arguments: ["serve", "--state-dir", state.path, "--bind", "127.0.0.1", "--ssh-port", "\(sshPort)",
                            "--http-port", "\(httpPort)", "--ports", "\(window.lowerBound)-\(window.upperBound)"]))
        }
    }

    /// Starts relay `index` and waits (bounded) until it printed its host key.
    func serve(_ index: Int) async throws {
        let relay = try TestProcess(BurrowBinary.path, members[index].arguments, output: .combined)
        running[index] = relay
        try await relay.waitForOutput("host key")
    }

    func kill9(_ index: Int) {
        _ = running[index]?.stop(signal: SIGKILL)
    }

    /// `burrow up --json` on the config directory.
    func up() throws -> TestProcess {
        let up = try TestProcess(BurrowBinary.path, ["up", "--json", "--config-dir", config.path], output: .combined)
        others.append(up)
        return up
    }

    /// `burrow status --json`, parsed (nil while no engine answers).
    func status() async throws -> [String: Any]? {
        let result = try await TestProcess.run(BurrowBinary.path, ["status", "--json", "--config-dir", config.path], timeout: .seconds(20))
        guard result.exitStatus == 0, let start = result.text.firstIndex(of: "{") else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(result.text[start...].utf8))) as? [String: Any]
    }

    /// Polls `burrow status --json` (bounded) until `condition` holds; returns that status.
    @discardableResult
    func waitForStatus(_ what: String, timeout: Duration = .seconds(60),
                       _ condition: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        var last: [String: Any]?
        while ContinuousClock.now < deadline {
            if let status = try await status() {
                last = status
                if condition(status) { return status }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw TestFailure("status never showed \(what) within \(timeout); last: \(String(describing: last))")
    }

    /// The mapping `name`'s `relays` in a status: (serving, of).
    static func relays(_ status: [String: Any], mapping name: String) -> (serving: Int, of: Int)? {
        let mappings = status["mappings"] as? [[String: Any]] ?? []
        guard let mapping = mappings.first(where: { $0["name"] as? String == name }),
              let relays = mapping["relays"] as? [String: Any],
              let serving = relays["serving"] as? Int, let of = relays["of"] as? Int else { return nil }
        return (serving, of)
    }

    /// The first tunnel's members in a status: endpoint → state word.
    static func memberStates(_ status: [String: Any]) -> [String: String] {
        let tunnels = status["tunnels"] as? [[String: Any]] ?? []
        let members = tunnels.first?["members"] as? [[String: Any]] ?? []
        return Dictionary(members.compactMap { member in
            (member["relay"] as? String).map { ($0, member["state"] as? String ?? "?") }
        }, uniquingKeysWith: { first, _ in first })
    }

    func remove() {
        for process in others.reversed() { process.stop() }
        for process in running.values { process.stop() }
        config.remove()
        for member in members { member.state.remove() }
    }
}
