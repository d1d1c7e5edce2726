import ArgumentParser
import BurrowAPI
import BurrowCore
import Foundation

extension Burrow {
    /// `burrow status`: what the running engine is doing.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: "Show the running engine's tunnels, mappings and public URLs.",
            discussion: """
                Asks the engine of the config directory (burrow up, --detach or the TUI) \
                through its local API. Exits 1 when no engine is running.

                Examples:
                  burrow status
                  burrow status --json | jq '.mappings[] | {name, state, url}'
                """
        )

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print the engine and its snapshot as JSON (the API's shapes).")
        var json = false

        func run() async throws {
            let client = try await RunningEngine.require(global.store(), command: "status")
            let (info, snapshot) = try await RunningEngine.call("status") {
                (try await client.info(), try await client.snapshot())
            }
            if json {
                print(String(decoding: EngineAPIJSON.status(engine: info, snapshot: snapshot), as: UTF8.self), terminator: "")
                return
            }
            for line in StatusReport.lines(info: info, snapshot: snapshot) { CLIOutput.line(line) }
        }
    }
}

/// `burrow status`'s text: pure, from the engine's info and snapshot.
enum StatusReport {
    static func lines(info: EngineInfo, snapshot: EngineSnapshot) -> [String] {
        let uptime = Int(max(0, snapshot.takenAt - info.startedAt))
        var lines = ["engine: \(info.owner.rawValue), pid \(info.pid), burrow \(info.version), up \(duration(uptime)), config \(info.configDirectory)"]
        if let relay = info.embeddedRelay {
            lines.append("embedded relay: \(relay.host), http port \(relay.httpPort), ssh port \(relay.sshPort)")
        }
        lines.append("")
        var tunnels = CLITable("TUNNEL", "STATE", "RELAY", "RTT")
        for tunnel in snapshot.tunnels {
            // A fleet says how many of its relays are connected (`2/3 relays`), one relay how many of its SSH connections are up (`2/2 connections`).
            let count = tunnel.relays.map { " · \($0.description)" } ?? tunnel.connections.map { " · \($0.description)" } ?? ""
            tunnels.add(tunnel.profile, state(tunnel.state) + count, tunnel.relay, rtt(tunnel.rttMs))
            // A fleet: one indented row per relay, its own connection's state.
            for member in tunnel.members {
                tunnels.add("  relay", state(member.state), member.relay, rtt(member.rttMs))
            }
        }
        lines += snapshot.tunnels.isEmpty ? ["no tunnels (no enabled mappings)"] : tunnels.rendered.split(separator: "\n").map(String.init)
        lines.append("")
        var mappings = CLITable("NAME", "STATE", "URL", "LOCAL", "VISITORS")
        for item in snapshot.mappings {
            let url = item.publicURL.map { $0.description + (item.alsoURL.map { " (also \($0))" } ?? "") } ?? "-"
            mappings.add(item.mapping.name, state(item), url, item.mapping.local.description, "\(item.openVisitors) open, \(item.totalVisitors) total")
        }
        lines += snapshot.mappings.isEmpty ? ["no mappings: add one with `burrow map add http 3000`"] : mappings.rendered.split(separator: "\n").map(String.init)
        return lines
    }

    static func state(_ state: TunnelState) -> String {
        switch state {
        case .connecting: return "connecting"
        case .online: return "online"
        case .reconnecting(let retryAt, let reason):
            return "reconnecting in \(max(0, Int(retryAt - Date().timeIntervalSince1970))) s: \(reason)"
        case .offline(let reason): return "offline: \(reason)"
        }
    }

    static func rtt(_ ms: Double?) -> String {
        ms.map { String(format: "%.1f ms", $0) } ?? "-"
    }

    static func state(_ item: MappingSnapshot) -> String {
        let relays = item.relays.map { " · \($0.description)" } ?? ""
        switch item.state {
        case .disabled: return "disabled"
        case .pending: return "pending" + relays
        case .online: return (item.localServiceDown ? "online · service down" : "online") + relays
        case .refused(let reason): return "refused: \(reason)"
        }
    }

    static func duration(_ seconds: Int) -> String {
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 3600 { return "\(seconds / 60) min" }
        return "\(seconds / 3600) h \(seconds % 3600 / 60) min"
    }
}
