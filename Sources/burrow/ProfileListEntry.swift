import BurrowCore

/// One element of `burrow profile ls --json`.
struct ProfileListEntry: Encodable {
    var name: String
    var host: String
    var sshPort: Int
    var user: String
    var identity: String?
    /// The fleet's other relays (`host:port`); absent without a fleet.
    var fleet: [String]?
    /// SSH connections to each relay; absent: the default (`burrow up --connections`, else one per core, at most 4).
    var connections: Int?
    var selected: Bool

    init(_ profile: BurrowCore.Profile, selected: Bool) {
        name = profile.name
        host = profile.host
        sshPort = profile.sshPort
        user = profile.user
        identity = profile.identity
        fleet = profile.fleet.isEmpty ? nil : profile.fleet
        connections = profile.connections
        self.selected = selected
    }
}
