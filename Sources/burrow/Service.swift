import ArgumentParser
import BurrowConfig
import BurrowCore
import Foundation

extension Burrow {
    /// `burrow service`: run the engine (or the relay) under systemd.
    struct Service: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "service",
            abstract: "Install, remove or check a systemd unit that runs `burrow up` (or, with --relay, `burrow serve`).",
            discussion: """
                install writes $XDG_CONFIG_HOME/systemd/user/burrow.service (default \
                ~/.config/systemd/user) running this binary's `burrow up --config-dir DIR`; \
                with --relay, /etc/systemd/system/burrow-relay.service running `burrow serve` \
                with the arguments after `--`. When systemd runs this machine it then \
                runs `systemctl [--user] daemon-reload` and `enable --now`; otherwise it \
                prints the unit's path and the commands. A unit someone edited is never \
                replaced or removed without --force.

                Examples:
                  burrow service install
                  burrow service status
                  sudo burrow service install --relay -- --domain example.com --https acme
                  burrow service uninstall
                """
        )

        enum Action: String, ExpressibleByArgument, CaseIterable {
            case install, uninstall, status
        }

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("install, uninstall or status.", valueName: "install|uninstall|status"))
        var action: Action

        @Flag(help: "The relay's system unit (burrow-relay.service, `burrow serve`) instead of the engine's user unit.")
        var relay = false

        @Flag(help: "Replace or remove a unit even if it was edited by hand.")
        var force = false

        @Option(help: ArgumentHelp("Write the unit into this directory instead (also $BURROW_SYSTEMD_UNIT_DIR).", valueName: "DIR"))
        var unitDir: String?

        @Argument(parsing: .postTerminator, help: ArgumentHelp("With --relay: arguments for `burrow serve` (after --).", valueName: "SERVE-ARGS"))
        var serveArguments: [String] = []

        func validate() throws {
            if !relay && !serveArguments.isEmpty {
                throw ValidationError("arguments after -- are for `burrow serve`: use them with --relay")
            }
        }

        func run() async throws {
            let environment = ProcessInfo.processInfo.environment
            let directory = unitDirectory(environment)
            let path = directory + "/" + unitName
            let systemd = SystemdHost(user: !relay, environment: environment)
            switch action {
            case .install: try install(at: path, directory: directory, systemd: systemd)
            case .uninstall: try uninstall(at: path, systemd: systemd)
            case .status: status(at: path, systemd: systemd)
            }
        }

        var unitName: String { relay ? "burrow-relay.service" : "burrow.service" }

        func unitDirectory(_ environment: [String: String]) -> String {
            if let unitDir { return ConfigStore.absolutePath(unitDir) }
            if let dir = environment["BURROW_SYSTEMD_UNIT_DIR"], !dir.isEmpty { return ConfigStore.absolutePath(dir) }
            if relay { return "/etc/systemd/system" }
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
            return config + "/systemd/user"
        }

        func unit() -> SystemdUnit {
            let binary = EngineProcess.selfExecutable
            if relay {
                return SystemdUnit(description: "Burrow relay (burrow serve)", execStart: [binary, "serve"] + serveArguments,
                                   wantedBy: "multi-user.target")
            }
            return SystemdUnit(description: "Burrow tunnels (burrow up)",
                               execStart: [binary, "up", "--config-dir", global.store().directory], wantedBy: "default.target")
        }

        private func existing(_ path: String) -> String? {
            FileManager.default.fileExists(atPath: path) ? ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "") : nil
        }

        private func install(at path: String, directory: String, systemd: SystemdHost) throws {
            let unit = unit()
            if let current = existing(path), SystemdUnit.ownership(of: current) == .edited, !force {
                throw ServiceError("\(path) was edited by hand (or not written by burrow): not replacing it; use --force to overwrite it")
            }
            do {
                try AtomicFile.makeDirectory(directory, mode: 0o755)
                try AtomicFile.write(Array(unit.text.utf8), to: path, mode: 0o644)
            } catch {
                throw ServiceError("cannot write \(path): \(error)")
            }
            CLIOutput.line("wrote \(path)")
            let commands = [["daemon-reload"], ["enable", "--now", unitName]]
            if systemd.isAvailable {
                for command in commands { try systemd.run(command) }
                CLIOutput.line("enabled and started \(unitName)" + (relay ? "" : "; it starts at login (for starts at boot: `loginctl enable-linger`)"))
            } else {
                CLIOutput.line("systemd is not running here; to use the unit, run:")
                for command in commands { CLIOutput.line("  " + systemd.commandLine(command)) }
            }
        }

        private func uninstall(at path: String, systemd: SystemdHost) throws {
            guard let current = existing(path) else {
                CLIOutput.line("no unit at \(path): nothing to remove")
                return
            }
            if SystemdUnit.ownership(of: current) == .edited, !force {
                throw ServiceError("\(path) was edited by hand (or not written by burrow): not removing it; use --force to remove it")
            }
            if systemd.isAvailable { try systemd.run(["disable", "--now", unitName]) }
            guard unlink(path) == 0 else { throw ServiceError("cannot remove \(path): \(String(cString: strerror(errno)))") }
            CLIOutput.line("removed \(path)")
            if systemd.isAvailable {
                try systemd.run(["daemon-reload"])
            } else {
                CLIOutput.line("systemd is not running here; where it is, also run:  " + systemd.commandLine(["daemon-reload"]))
            }
        }

        private func status(at path: String, systemd: SystemdHost) {
            guard let current = existing(path) else {
                CLIOutput.line("\(unitName): not installed (\(path)); install it with `burrow service install\(relay ? " --relay" : "")`")
                return
            }
            let whose = SystemdUnit.ownership(of: current) == .ours ? "written by burrow" : "edited by hand"
            CLIOutput.line("\(unitName): installed at \(path) (\(whose))")
            if systemd.isAvailable {
                CLIOutput.line("systemd: " + systemd.output(["is-active", unitName]) + ", " + systemd.output(["is-enabled", unitName]))
            } else {
                CLIOutput.line("systemd is not running here")
            }
        }
    }
}

/// systemctl, for the user's manager or the system's.
struct SystemdHost {
    var user: Bool
    var environment: [String: String]

    /// systemd runs this machine (`/run/systemd/system`) and `systemctl` is on PATH.
    var isAvailable: Bool {
        FileManager.default.fileExists(atPath: "/run/systemd/system") && systemctl != nil
    }

    var systemctl: String? {
        let path = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return path.map { "\($0)/systemctl" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    func commandLine(_ arguments: [String]) -> String {
        (["systemctl"] + (user ? ["--user"] : []) + arguments).joined(separator: " ")
    }

    func run(_ arguments: [String]) throws {
        let (status, output) = execute(arguments)
        guard status == 0 else { throw ServiceError("`\(commandLine(arguments))` failed (exit \(status)): \(output)") }
    }

    func output(_ arguments: [String]) -> String {
        execute(arguments).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func execute(_ arguments: [String]) -> (status: Int32, output: String) {
        guard let systemctl else { return (127, "systemctl not found") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: systemctl)
        process.arguments = (user ? ["--user"] : []) + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (127, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// A `burrow service` failure: one `Error: …` line, exit 1 (no usage dump).
struct ServiceError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
