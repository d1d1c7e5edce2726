import ArgumentParser
import BurrowCluster
import BurrowConfig
import BurrowCore

/// `burrow serve --cluster …` (the URL is `ServeClusterURL`): a member of a
/// fleet of relays sharing reservations and their member list in PostgreSQL.
struct ServeClusterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The SSH endpoint agents dial for this member, as listed to them in the fleet (default: DOMAIN:SSH_PORT).", valueName: "HOST:PORT"))
    var advertise: String?

    @Option(help: ArgumentHelp("Seconds between this member's heartbeats; a member silent for 3 is dead (default 5, or relay.json's cluster.heartbeatSeconds).", valueName: "SECONDS"))
    var heartbeatSeconds: Double?

    @Option(help: ArgumentHelp("With --cluster: copy DIR/reservations.json into the fleet's database once (refused whole on any conflict), print what was imported, and exit.", valueName: "DIR"))
    var importState: String?

    func validate() throws {
        if let advertise {
            guard advertise.contains(":"), (try? Profile.parseEndpoint(advertise)) != nil else {
                throw ValidationError("invalid --advertise '\(advertise)': use HOST:PORT, e.g. relay1.example.com:2222")
            }
        }
        if let heartbeatSeconds, !(0.2...3600).contains(heartbeatSeconds) {
            throw ValidationError("invalid --heartbeat-seconds \(heartbeatSeconds): use 0.2 to 3600")
        }
    }

    /// The fleet to join: the flags, else relay.json's "cluster"; nil = a relay of its own.
    func fleet(cluster: String?, settings: RelaySettingsFile.Cluster?, domain: String) throws(ClusterError) -> PostgresFleet? {
        guard let url = cluster ?? settings?.url else { return nil }
        let address = try ClusterAddress.parse(url)
        let seconds = heartbeatSeconds ?? settings?.heartbeatSeconds ?? 5
        return PostgresFleet(
            address: address, advertise: advertise ?? settings?.advertise, defaultHost: domain,
            heartbeat: .milliseconds(Int64(seconds * 1000)))
    }
}
