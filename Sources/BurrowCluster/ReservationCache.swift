/// What this member knows of the fleet's reservations: a copy of the
/// database's `burrow_names` and `burrow_ports`, refreshed at every
/// heartbeat and updated by this member's own claims. The visitor path
/// reads it without I/O; a name this member knows is held by a key stays
/// usable by that key while the database is unreachable.
struct ReservationCache: Sendable {
    struct Name: Sendable, Equatable {
        var key: String
        var auto: Bool
    }

    struct Port: Sendable, Equatable {
        var key: String
        var label: String
    }

    var names: [String: Name] = [:]
    var ports: [Int: Port] = [:]
}
