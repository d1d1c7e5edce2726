import ArgumentParser
import BurrowCluster
import BurrowConfig
import Foundation

extension Burrow {
    struct ServeReservationsRemove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rm",
            abstract: "Release reserved names, ports, or everything one key holds (relay stopped).",
            discussion: """
                Each argument is a name (demo), a TCP port (20042) or a key fingerprint \
                (SHA256:…, as `ls` shows it). Stop the relay first: a running relay would \
                write its own table back over the change, so this refuses while one runs. \
                With --cluster (or relay.json's cluster), the release is made in the fleet's \
                database, in one transaction, while the members run.

                Example:
                  burrow serve reservations rm demo 20042
                """
        )

        @OptionGroup var stateDirectory: ServeStateDirectory

        @OptionGroup var fleet: ServeClusterURL

        @Argument(help: ArgumentHelp("Names, ports or key fingerprints to release.", valueName: "WHAT"))
        var what: [String]

        func validate() throws {
            if what.isEmpty { throw ValidationError("name at least one name, port or SHA256:key to release") }
        }

        func run() async throws {
            let directory = stateDirectory.resolved
            if let address = try fleet.address(stateDirectory: directory) {
                // In the database: safe while the members run (they reload at their next heartbeat).
                do {
                    for line in try await ClusterAdmin.release(address, what) { CLIOutput.line(line) }
                } catch {
                    StandardError.write("burrow serve reservations rm: \(error)\n")
                    throw ExitCode.failure
                }
                return
            }
            let path = directory + "/reservations.json"
            let released = try StateDirectoryLock.ifNoRelayRuns(directory: directory) {
                try FileLock.withLock(ReservationsFile.lockPath(for: path)) { () throws -> [String] in
                    var file = try ReservationsFile.load(path: path)
                    var lines: [String] = []
                    for item in what {
                        lines.append(try Self.release(item, from: &file))
                    }
                    try file.write(to: path)
                    return lines
                }
            }
            guard let released else {
                throw ConfigError.invalidCombination(
                    "a relay is running with \(directory) (it holds \(directory)/.relay.lock); stop it, run this again, then start it: a running relay would write its reservations back over the change")
            }
            for line in released { CLIOutput.line(line) }
        }

        static func release(_ item: String, from file: inout ReservationsFile) throws -> String {
            if item.hasPrefix("SHA256:") {
                guard let entry = file.keys.removeValue(forKey: item) else {
                    throw ConfigError.invalidCombination("key \(item) holds nothing here (see: burrow serve reservations ls)")
                }
                return "released \(entry.names.count) name(s) and \(entry.ports.count) port(s) of \(item)"
            }
            for (key, var entry) in file.keys {
                if let port = Int(item), entry.ports.contains(where: { $0.port == port }) {
                    entry.ports.removeAll { $0.port == port }
                } else if entry.names.contains(item) {
                    entry.names.removeAll { $0 == item }
                    if entry.autoName == item { entry.autoName = nil }
                } else {
                    continue
                }
                file.keys[key] = entry.names.isEmpty && entry.ports.isEmpty ? nil : entry
                return "released \(Int(item) != nil ? "port" : "name") \(item) (held by \(key))"
            }
            throw ConfigError.invalidCombination("nothing reserved as '\(item)' (see: burrow serve reservations ls)")
        }
    }
}
