import ArgumentParser

extension Burrow {
    /// `burrow serve reservations ls|rm`: the relay operator's view of
    /// `STATE_DIR/reservations.json`.
    struct ServeReservations: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reservations",
            abstract: "List or release the names and ports client keys hold on this relay.",
            discussion: """
                Each key keeps the names and TCP ports it got (up to maxReservationsPerKey in \
                relay.json, 20 by default), so it gets the same URLs back after a reconnect or a \
                restart. `ls` works while the relay runs. `rm` needs the relay stopped: a running \
                relay keeps its table in memory and would write it back over the change.

                Examples:
                  burrow serve reservations ls
                  burrow serve reservations rm demo 20042
                  burrow serve reservations rm SHA256:Qm9v…   # everything that key holds
                """,
            subcommands: [ServeReservationsList.self, ServeReservationsRemove.self]
        )
    }
}
