import BurrowConfig
import BurrowCore
import BurrowTestSupport
import Foundation
import Testing

/// The built `burrow` executable: it sits next to the test bundle.
enum BurrowBinary {
    static var path: String { BurrowExecutable.path }

    /// Parses the JSON lines (`{…}`) of `output`.
    static func jsonEvents(_ output: String) -> [[String: Any]] {
        output.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("{"), let data = line.data(using: .utf8) else { return nil }
            return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        }
    }

    static func onlineURLs(_ output: String) -> [(name: String, url: String)] {
        jsonEvents(output).compactMap { event in
            guard event["event"] as? String == "online", let name = event["name"] as? String,
                  let url = event["url"] as? String else { return nil }
            return (name, url)
        }
    }
}

extension BurrowBinary {
    /// A config directory whose only mapping is the HTTP mapping "solo" to
    /// 127.0.0.1:`port` (no profile: `burrow up` starts the embedded relay).
    static func soloConfig(_ label: String, port: Int) throws -> TestDirectory {
        let config = try TestDirectory(label)
        _ = try ConfigStore(directory: config.path)
            .addMapping(protocol: .http, local: LocalAddress(port: port), name: "solo", remotePort: nil, profile: nil, enabled: true)
        return config
    }

    /// The line `burrow up` prints for "solo" once it is online.
    static func soloLine(_ up: TestProcess) async throws -> Substring {
        let output = try await up.waitForOutput("solo  http://solo.localhost:")
        return try #require(output.split(separator: "\n").first { $0.hasPrefix("solo  ") })
    }
}

/// `burrow serve` and `burrow up` as separate processes, as people run them:
/// a config directory with a profile "home" aimed at fixed free ports (a
/// restarted relay comes back at the same address) and a relay state whose
/// authorized_keys holds the config's identity. `remove()` stops every
/// process it started (the newest first) and removes both directories.
final class BinaryRelayAndAgent {
    let config: TestDirectory
    let state: TestDirectory
    let store: ConfigStore
    let httpPort: Int
    let serveArguments: [String]
    /// Both processes run as `nobody` (when the tests run as root; an
    /// ordinary user's tests are unprivileged already), as a relay on a real
    /// server and an agent on a laptop do.
    let unprivileged: Bool
    private var processes: [TestProcess] = []

    init(_ label: String, unprivileged: Bool = false) throws {
        self.unprivileged = unprivileged
        config = try TestDirectory("\(label)-config")
        state = try TestDirectory("\(label)-state")
        store = ConfigStore(directory: config.path)
        try state.write("authorized_keys", try store.identity(for: nil).publicKeyLine + "\n", mode: 0o600)
        let sshPort = try Ports.free()
        httpPort = try Ports.free()
        let window = TestRelay.portWindow()
        _ = try store.addProfile(Profile(name: "home", host: "127.0.0.1", sshPort: sshPort))
        serveArguments = ["serve", "--state-dir", state.path, "--bind", "127.0.0.1", "--ssh-port", "\(sshPort)",
                          "--http-port", "\(httpPort)", "--ports", "\(window.lowerBound)-\(window.upperBound)"]
    }

    /// An HTTP or TCP mapping to 127.0.0.1:`port`, added to mappings.json.
    func add(_ protocol: MappingProtocol, _ name: String, port: Int) throws {
        _ = try store.addMapping(protocol: `protocol`, local: LocalAddress(port: port), name: name, remotePort: nil, profile: nil, enabled: true)
    }

    /// `burrow ARGUMENTS`, as `nobody` when `unprivileged` and the tests run as root.
    private func burrow(_ arguments: [String]) async throws -> TestProcess {
        guard unprivileged, getuid() == 0 else {
            return try TestProcess(BurrowBinary.path, arguments, output: .combined)
        }
        // A copy of the binary in the state directory: the build directory may
        // sit where nobody cannot reach it (a clone under /root).
        let binary = state.file("burrow")
        if !FileManager.default.fileExists(atPath: binary) {
            try FileManager.default.copyItem(atPath: BurrowBinary.path, toPath: binary)
        }
        // Their directories (and what ConfigStore wrote in them as root) become nobody's.
        for directory in [config.path, state.path] {
            let chown = try await TestProcess.run("chown", ["-R", "65534:65534", directory])
            guard chown.exitStatus == 0 else { throw TestFailure("chown -R nobody \(directory): \(chown.text)") }
        }
        return try TestProcess(
            "setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "--", binary] + arguments, output: .combined)
    }

    /// `burrow serve`, once it printed its host key.
    func serve() async throws -> TestProcess {
        let relay = try await burrow(serveArguments)
        processes.append(relay)
        try await relay.waitForOutput("host key")
        return relay
    }

    /// `burrow serve`, then `burrow up --json` on the config directory once
    /// it has reported each of `mappings`.
    func start(reporting mappings: [String]) async throws -> (relay: TestProcess, up: TestProcess) {
        let relay = try await serve()
        let up = try await burrow(["up", "--json", "--config-dir", config.path])
        processes.append(up)
        for name in mappings { try await up.waitForOutput("\"name\":\"\(name)\"") }
        return (relay, up)
    }

    func remove() {
        for process in processes.reversed() { process.stop() }
        config.remove()
        state.remove()
    }
}
