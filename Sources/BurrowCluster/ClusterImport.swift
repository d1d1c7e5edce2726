import BurrowConfig
import PostgresNIO

/// `burrow serve --cluster URL --import-state DIR`: copies `DIR/reservations.json`
/// (names, ports, each key's picked name) into the fleet's database, once,
/// in one transaction. A name or port some other key already holds there
/// is a conflict: then nothing is imported and every conflict is listed.
/// Rows the database already has for the same key count as already there,
/// so running it twice is harmless. `authorized_keys` is not imported: each
/// member keeps its own file (ship the same file to every member).
package enum ClusterImport {
    package struct Report: Sendable, Equatable {
        package var keys = 0
        package var names = 0
        package var ports = 0
        /// Rows the database already had for the same key.
        package var alreadyThere = 0
    }

    package static func run(address: ClusterAddress, stateDirectory: String) async throws -> Report {
        let path = stateDirectory + "/reservations.json"
        let file: ReservationsFile
        do {
            guard try AtomicFile.read(path) != nil else {
                throw ClusterError.refused("nothing to import: \(path) does not exist")
            }
            file = try ReservationsFile.load(path: path)
        } catch let error as ConfigError {
            throw ClusterError.refused("cannot import \(path): \(error.description); nothing was imported")
        }
        let database = ClusterDatabase(address: address, deadline: .seconds(30))
        defer { database.close() }
        do {
            try await database.probe()
            _ = try await database.migrate()
        } catch let error as ClusterError {
            if case .schema = error { throw error }
            throw ClusterError.unreachable("cannot reach the fleet's database \(address): \(error.description)")
        } catch {
            throw ClusterError.unreachable("cannot reach the fleet's database \(address): \(ClusterError.describe(error))")
        }
        return try await database.transaction("importing \(path)") { connection -> Report in
            var report = Report()
            var conflicts: [String] = []
            for (key, entry) in file.keys.sorted(by: { $0.key < $1.key }) {
                report.keys += 1
                for name in entry.names {
                    let auto = entry.autoName == name
                    let inserted = try await importRow(
                        "name '\(name)'", key: key, connection: connection, report: &report, conflicts: &conflicts,
                        holder: "SELECT key FROM burrow_names WHERE name = \(name)",
                        insert: "INSERT INTO burrow_names (name, key, auto, member) VALUES (\(name), \(key), \(auto), 'import')")
                    report.names += inserted
                }
                for port in entry.ports {
                    let number = Int32(port.port)
                    let inserted = try await importRow(
                        "port \(port.port)", key: key, connection: connection, report: &report, conflicts: &conflicts,
                        holder: "SELECT key FROM burrow_ports WHERE port = \(number)",
                        insert: "INSERT INTO burrow_ports (port, key, label, member) VALUES (\(number), \(key), \(port.label), 'import')")
                    report.ports += inserted
                }
            }
            if !conflicts.isEmpty {
                let shown = conflicts.prefix(10).joined(separator: "; ")
                let more = conflicts.count > 10 ? " (and \(conflicts.count - 10) more)" : ""
                throw ClusterError.refused(
                    "nothing was imported: \(conflicts.count) conflict(s) with the fleet's database: \(shown)\(more); release them there or edit \(path) first")
            }
            return report
        }
    }

    /// One name or port of `key`'s: already there when `key` holds it in
    /// the database, a conflict when another key does, else inserted.
    /// Returns 1 when it was inserted, else 0.
    private static func importRow(
        _ what: String, key: String, connection: PostgresConnection, report: inout Report, conflicts: inout [String],
        holder: PostgresQuery, insert: PostgresQuery
    ) async throws -> Int {
        var found: String?
        for try await owner in try await connection.query(holder, logger: ClusterDatabase.logger).decode(String.self) {
            found = owner
        }
        switch found {
        case key?:
            report.alreadyThere += 1
        case let other?:
            conflicts.append("\(what) is held by \(other) in the database, by \(key) in the file")
        case nil:
            try await connection.query(insert, logger: ClusterDatabase.logger)
            return 1
        }
        return 0
    }
}
