import ArgumentParser
import BurrowConfig
import BurrowCore

extension Burrow {
    struct ProfileAdd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a profile: a relay to connect to.",
            discussion: """
                The relay must know your public key (print it with `burrow key`) \
                unless it accepts any key. --identity uses another unencrypted \
                ed25519 key in OpenSSH format instead of burrow's own.

                Examples:
                  burrow profile add home relay.example.com          # SSH port 2222, user burrow
                  burrow profile add work 203.0.113.7:2022 --user alice \\
                      --identity ~/.ssh/id_ed25519
                  burrow profile add prod r1.example.com --fleet r2.example.com,r3.example.com:2022

                --fleet names more relays of one fleet (`burrow serve --cluster`): \
                the agent holds one connection to each and registers every \
                mapping on all of them; the relays' own list of live members \
                is added to it while connected.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The profile's name: 1-63 of a-z, 0-9, '-'.", valueName: "NAME"))
        var name: String

        @Argument(help: ArgumentHelp("The relay's host and SSH port (default \(BurrowCore.Profile.defaultSSHPort)); [V6]:PORT for IPv6.", valueName: "HOST[:SSH_PORT]"))
        var endpoint: String

        @Option(help: ArgumentHelp("The SSH user name (default \(BurrowCore.Profile.defaultUser)).", valueName: "USER"))
        var user: String?

        @Option(help: ArgumentHelp("A private key file (OpenSSH ed25519, unencrypted) instead of CONFIG_DIR/identity.", valueName: "PATH"))
        var identity: String?

        @Option(help: ArgumentHelp("More relays of the same fleet, comma-separated (HOST[:SSH_PORT],…); the agent connects to every one.", valueName: "HOST[:SSH_PORT],…"))
        var fleet: String?

        @Option(help: ArgumentHelp("SSH connections to each relay of this profile (\(ConnectionCount.range.lowerBound)-\(ConnectionCount.range.upperBound); default: one per core, at most \(ConnectionCount.defaultMaximum)).", valueName: "N"))
        var connections: Int?

        func run() async throws {
            try Self.checkEndpoint(endpoint)
            let (host, port) = try BurrowCore.Profile.parseEndpoint(endpoint)
            if let user, user.isEmpty || user.contains(where: \.isWhitespace) {
                throw ConfigError.invalidCombination("invalid user '\(user)': use a non-empty name without spaces")
            }
            let members = try Self.fleetMembers(fleet)
            if let connections, !ConnectionCount.range.contains(connections) {
                throw ConfigError.invalidCombination(
                    "invalid --connections \(connections): use \(ConnectionCount.range.lowerBound) to \(ConnectionCount.range.upperBound), or leave it out for one per core (at most \(ConnectionCount.defaultMaximum))")
            }
            let profile = BurrowCore.Profile(
                name: name, host: host, sshPort: port, user: user ?? BurrowCore.Profile.defaultUser, identity: identity,
                fleet: members, connections: connections)
            let result = try global.store().addProfile(profile)
            let key = result.profile.identity.map { "key \($0)" } ?? "burrow's own key"
            let selected = result.selected ? " and selected it" : "; select it with: burrow profile use \(name)"
            let relays = result.profile.fleet.isEmpty ? "" : ", fleet of \(result.profile.members.count) relays"
            CLIOutput.line("added profile '\(name)' (\(result.profile.user)@\(result.profile.endpoint), \(key)\(relays))\(selected)")
        }

        /// `--fleet a:2222,b:2222`: each endpoint checked like the profile's own.
        static func fleetMembers(_ text: String?) throws(ConfigError) -> [String] {
            guard let text else { return [] }
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
            var members: [String] = []
            for part in parts {
                let trimmed = String(part.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
                guard !trimmed.isEmpty else {
                    throw .invalidCombination("invalid --fleet '\(text)': an empty relay address; use HOST[:SSH_PORT],HOST[:SSH_PORT],…")
                }
                try checkEndpoint(trimmed)
                members.append(trimmed)
            }
            return members
        }

        /// `Profile.parseEndpoint`'s check, with a message about relays rather than local addresses.
        static func checkEndpoint(_ text: String) throws(ConfigError) {
            do {
                _ = try BurrowCore.Profile.parseEndpoint(text)
            } catch {
                var shape = false
                if case .invalidLocalAddress = error { shape = true }
                if case .invalidPort(let port) = error, port.isEmpty { shape = true }
                if shape {
                    throw .invalidCombination(
                        "invalid relay address '\(text)': use HOST or HOST:SSH_PORT (e.g. relay.example.com, relay.example.com:2222, [2001:db8::1]:2222)")
                }
                throw .invalidValue(error)
            }
        }
    }
}
