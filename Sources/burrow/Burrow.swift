import ArgumentParser
import BurrowCore

@main
struct Burrow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "burrow",
        abstract: "Put a service on a PC with no public IP onto the internet, through your own relay.",
        discussion: """
            Run `burrow` to open the terminal UI (it starts an embedded relay on \
            127.0.0.1 when no profile is configured), or use the commands below.

            Examples:
              burrow map add http 3000            # share localhost:3000 over HTTP
              burrow up                           # run the tunnels headless
              burrow serve --domain example.com   # run a relay on a server
            """,
        version: BurrowVersion.current,
        subcommands: [TUI.self, Map.self, Profile.self, Key.self, Up.self, Down.self, Status.self, Requests.self, Replay.self, Service.self, Serve.self, Trust.self],
        defaultSubcommand: TUI.self
    )

    @OptionGroup var global: GlobalOptions
}
