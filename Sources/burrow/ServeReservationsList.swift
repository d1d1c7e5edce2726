import ArgumentParser
import BurrowCluster
import BurrowConfig
import Foundation

extension Burrow {
    struct ServeReservationsList: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List every reserved name and port, by key.",
            discussion: """
                Safe while the relay runs (it reads the file the relay writes). With \
                --cluster (or relay.json's cluster), the fleet's database instead.

                Example:
                  burrow serve reservations ls --state-dir /var/lib/burrow-relay
                """
        )

        @OptionGroup var stateDirectory: ServeStateDirectory

        @OptionGroup var fleet: ServeClusterURL

        func run() async throws {
            let directory = stateDirectory.resolved
            if let address = try fleet.address(stateDirectory: directory) {
                let rows: [ClusterAdmin.Row]
                do {
                    rows = try await ClusterAdmin.list(address)
                } catch {
                    StandardError.write("burrow serve reservations ls: \(error)\n")
                    throw ExitCode.failure
                }
                guard !rows.isEmpty else {
                    CLIOutput.line("no reservations in the fleet's database \(address)")
                    return
                }
                var table = CLITable("KEY", "KIND", "NAME OR PORT", "NOTE")
                for row in rows { table.add(row.key, row.kind, row.value, row.note) }
                CLIOutput.line(table.rendered)
                return
            }
            let file = try ReservationsFile.load(path: directory + "/reservations.json")
            guard !file.keys.isEmpty else {
                CLIOutput.line("no reservations in \(directory)/reservations.json")
                return
            }
            var table = CLITable("KEY", "KIND", "NAME OR PORT", "NOTE")
            for (key, entry) in file.keys.sorted(by: { $0.key < $1.key }) {
                for name in entry.names {
                    table.add(key, "name", name, name == entry.autoName ? "picked by the relay" : "")
                }
                for port in entry.ports {
                    table.add(key, "port", String(port.port), port.label.isEmpty ? "" : "asked as '\(port.label)'")
                }
            }
            CLIOutput.line(table.rendered)
        }
    }
}
