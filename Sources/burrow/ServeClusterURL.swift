import ArgumentParser
import BurrowCluster
import BurrowConfig

/// `--cluster`, shared by `burrow serve` and `burrow serve reservations …`
/// (one declaration, so the flag reaches the subcommands too, as `--state-dir`
/// does): the fleet's database; absent = relay.json's "cluster", else none.
struct ServeClusterURL: ParsableArguments {
    @Option(help: ArgumentHelp("Share reservations and the member list with other relays in this PostgreSQL database (default: relay.json's cluster.url; for `reservations ls|rm`: act on the database instead of reservations.json). The password is never printed.", valueName: "postgres://USER[:PASS]@HOST[:PORT]/DB[?host=/socket/dir]"))
    var cluster: String?

    func validate() throws {
        if let cluster {
            do {
                _ = try ClusterAddress.parse(cluster)
            } catch {
                throw ValidationError(error.description)
            }
        }
    }

    /// The database to use, or nil for the state directory's file.
    func address(stateDirectory: String) throws -> ClusterAddress? {
        guard let url = try cluster ?? RelaySettingsFile.load(path: stateDirectory + "/relay.json")?.cluster?.url else { return nil }
        do {
            return try ClusterAddress.parse(url)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
