import ArgumentParser
import BurrowAPI
import BurrowConfig
import BurrowCore

extension Burrow.Up {
    /// `--detach`: the same command in the background, then its URLs.
    func runDetached(store: ConfigStore) async throws {
        let directory = store.directory
        if let pid = EngineLock.holder(configDirectory: directory) {
            StandardError.write("burrow up: \(EngineAPIError.alreadyRunning(pid: pid, configDirectory: directory))\n")
            throw ExitCode.failure
        }
        var arguments = ["--log-level", logLevel.rawValue, "--require-api"]
        if let profile { arguments += ["--profile", profile] }
        if let ownerPid { arguments += ["--owner-pid", String(ownerPid)] }
        if alwaysEmbedded { arguments.append("--always-embedded") }
        if noInspect { arguments.append("--no-inspect") }
        if let connections = connections.connections { arguments += ["--connections", String(connections)] }
        let snapshot: EngineSnapshot
        let client: EngineAPIClient
        do {
            let pid = try EngineProcess.spawn(configDirectory: directory, extraArguments: arguments)
            client = try await EngineProcess.waitForEngine(configDirectory: directory, pid: pid)
            snapshot = try await EngineProcess.waitForMappings(client)
        } catch {
            StandardError.write("burrow up --detach: \(error)\n")
            throw ExitCode.failure
        }
        if let embedded = client.engine.embeddedRelay, json {
            Self.emit("{\"event\":\"embedded-relay\",\"host\":\"\(embedded.host)\",\"httpPort\":\(embedded.httpPort),\"sshPort\":\(embedded.sshPort)}")
        }
        for item in snapshot.mappings {
            let event: EngineEvent?
            switch item.state {
            case .online:
                event = item.publicURL.map { .online(mapping: item.mapping.name, url: $0, local: item.mapping.local, also: item.alsoURL) }
            case .refused(let reason):
                event = .error(mapping: item.mapping.name, message: reason)
            case .pending:
                event = .error(mapping: item.mapping.name, message: "not online yet (see `burrow status`)")
            case .disabled:
                event = nil
            }
            guard let event else { continue }
            // A fleet's mapping: on how many relays, as `burrow up` says it in the foreground.
            let relays = item.relays.map { EngineEvent.notice("\(item.mapping.name)  online on \($0.description)") }
            if json {
                Self.emit(event.jsonLine)
                if case .online = event, let relays { Self.emit(relays.jsonLine) }
            } else if case .online = event {
                Self.emit(event.humanLine)
                if let relays { Self.emit(relays.humanLine) }
            } else {
                StandardError.write(event.humanLine + "\n")
            }
        }
        if !json {
            let log = EngineAPI.logPath(configDirectory: directory)
            StandardError.write("burrow up is running in the background (pid \(client.engine.pid), log \(log)); stop it with `burrow down`\n")
        }
    }
}
