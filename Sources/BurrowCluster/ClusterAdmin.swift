import PostgresNIO

/// `burrow serve reservations ls|rm --cluster URL`: the operator's view of
/// the fleet's reservations, straight from the database. Releasing is safe
/// while the members run: each reloads the tables at its next heartbeat
/// (a connection already serving a released name keeps it until it ends).
package enum ClusterAdmin {
    package struct Row: Sendable, Equatable {
        package var key: String
        package var kind: String
        package var value: String
        package var note: String
    }

    private static func open(_ address: ClusterAddress) async throws -> ClusterDatabase {
        let database = ClusterDatabase(address: address, deadline: .seconds(30))
        do {
            try await database.probe()
            _ = try await database.migrate()
        } catch {
            database.close()
            if case .schema? = error as? ClusterError { throw error }
            throw ClusterError.unreachable("cannot reach the fleet's database \(address): \(ClusterError.describe(error))")
        }
        return database
    }

    /// Every name and port, by key.
    package static func list(_ address: ClusterAddress) async throws -> [Row] {
        let database = try await open(address)
        defer { database.close() }
        return try await database.withConnection("listing reservations") { connection -> [Row] in
            var rows: [Row] = []
            for try await (key, name, auto, member) in try await connection.query(
                "SELECT key, name, auto, member FROM burrow_names ORDER BY key, name", logger: ClusterDatabase.logger
            ).decode((String, String, Bool, String).self) {
                rows.append(Row(key: key, kind: "name", value: name, note: note(auto ? "picked by the relay" : "", member)))
            }
            for try await (key, port, label, member) in try await connection.query(
                "SELECT key, port, label, member FROM burrow_ports ORDER BY key, port", logger: ClusterDatabase.logger
            ).decode((String, Int32, String, String).self) {
                rows.append(Row(key: key, kind: "port", value: String(port), note: note(label.isEmpty ? "" : "asked as '\(label)'", member)))
            }
            return rows.sorted { ($0.key, $0.kind, $0.value) < ($1.key, $1.kind, $1.value) }
        }
    }

    private static func note(_ text: String, _ member: String) -> String {
        let by = member.isEmpty ? "" : "via \(member)"
        return [text, by].filter { !$0.isEmpty }.joined(separator: ", ")
    }

    /// Releases each item (a name, a port, or `SHA256:…` for everything a
    /// key holds) in one transaction: an item nothing matches releases nothing at all.
    package static func release(_ address: ClusterAddress, _ items: [String]) async throws -> [String] {
        let database = try await open(address)
        defer { database.close() }
        return try await database.transaction("releasing reservations") { connection -> [String] in
            var lines: [String] = []
            for item in items {
                if item.hasPrefix("SHA256:") {
                    var names = 0
                    var ports = 0
                    for try await _ in try await connection.query(
                        "DELETE FROM burrow_names WHERE key = \(item) RETURNING name", logger: ClusterDatabase.logger
                    ) {
                        names += 1
                    }
                    for try await _ in try await connection.query(
                        "DELETE FROM burrow_ports WHERE key = \(item) RETURNING port", logger: ClusterDatabase.logger
                    ) {
                        ports += 1
                    }
                    guard names + ports > 0 else {
                        throw ClusterError.refused("key \(item) holds nothing in the fleet (see: burrow serve reservations ls --cluster …); nothing was released")
                    }
                    lines.append("released \(names) name(s) and \(ports) port(s) of \(item)")
                    continue
                }
                var holder: String?
                if let port = Int32(item) {
                    for try await key in try await connection.query(
                        "DELETE FROM burrow_ports WHERE port = \(port) RETURNING key", logger: ClusterDatabase.logger
                    ).decode(String.self) {
                        holder = key
                    }
                } else {
                    for try await key in try await connection.query(
                        "DELETE FROM burrow_names WHERE name = \(item) RETURNING key", logger: ClusterDatabase.logger
                    ).decode(String.self) {
                        holder = key
                    }
                }
                guard let holder else {
                    throw ClusterError.refused("nothing reserved as '\(item)' in the fleet (see: burrow serve reservations ls --cluster …); nothing was released")
                }
                lines.append("released \(Int32(item) != nil ? "port" : "name") \(item) (held by \(holder))")
            }
            return lines
        }
    }
}
