#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import BurrowAPI
import BurrowConfig
import BurrowTUI

/// The engine a TUI shows: another process's, found on the config
/// directory's socket (`attached`), or one this TUI starts as a background
/// `burrow up --owner-pid SELF`, which stops when the TUI ends unless the
/// person chose to keep the tunnels running. The engine is never inside the
/// TUI's process: keeping it needs no hand-over, so no visitor is cut and no
/// URL changes when the TUI leaves.
struct TUIEngine {
    let client: EngineAPIClient
    /// Another process's engine: quitting leaves it running without asking.
    let attached: Bool
    /// The `burrow up` this TUI started (nil when attached).
    let startedPID: pid_t?

    /// `connections`: `burrow --connections N`, for the engine it starts.
    static func attachOrStart(store: ConfigStore, connections: Int? = nil) async throws -> TUIEngine {
        if let running = try await EngineAPIClient.connect(configDirectory: store.directory) {
            return TUIEngine(client: running, attached: true, startedPID: nil)
        }
        let pid = try EngineProcess.spawn(
            configDirectory: store.directory,
            extraArguments: ["--owner-pid", String(getpid()), "--always-embedded", "--require-api"]
                + (connections.map { ["--connections", String($0)] } ?? []))
        do {
            let client = try await EngineProcess.waitForEngine(configDirectory: store.directory, pid: pid)
            return TUIEngine(client: client, attached: false, startedPID: pid)
        } catch {
            // Another TUI or `burrow up` may have taken the directory's lock
            // first (ours then exits at once): attach to that one.
            if let running = try await EngineAPIClient.connect(configDirectory: store.directory) {
                return TUIEngine(client: running, attached: true, startedPID: nil)
            }
            throw error
        }
    }

    /// Acts on the person's choice: keep this TUI's engine running in the
    /// background, or stop it (draining its visitors) and wait until it is gone.
    func finish(_ exit: TUIExit) async {
        guard let pid = startedPID else { return }
        switch exit {
        case .keepEngine:
            do {
                let info = try await client.keep()
                StandardError.write("the tunnels keep running in the background (burrow up, pid \(info.pid)): `burrow status` lists them, `burrow down` stops them\n")
            } catch {
                StandardError.write("burrow: could not keep the tunnels running: \(error)\n")
            }
        case .stopEngine:
            do {
                try await client.stop()
            } catch {
                // Gone already, or not answering: it stops by itself once this process ends (--owner-pid).
                kill(pid, SIGTERM)
            }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1, errno == EINTR {}
        }
    }
}
