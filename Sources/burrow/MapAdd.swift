import ArgumentParser
import BurrowConfig
import BurrowCore

extension Burrow {
    struct MapAdd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Add a mapping from a local port to a public URL.",
            discussion: """
                Without --name the mapping gets a readable name such as \
                http-3000. Without --profile it follows the selected profile \
                (or the embedded local relay while no profile exists).

                Examples:
                  burrow map add http 3000
                  burrow map add http 192.168.1.20:8080 --name nas
                  burrow map add tcp 22 --name ssh --remote-port 20022 --profile home
                  burrow map add udp 27015 --disabled
                  burrow map add tls 8443 --name shop --proxy-protocol v2
                  burrow map add http 3000 --allow 203.0.113.0/24 --allow 2001:db8::/32 --deny 203.0.113.9
                  burrow map add http 3000 --name admin --basic-auth alice:s3cret
                  burrow map add http 3000 --name shop --pool

                --allow and --deny are enforced by the relay before a visitor's \
                byte reaches this computer (deny wins; no --allow = everyone). \
                --basic-auth (http only) is stored as a salted SHA-256 hash, \
                never the password. --proxy-protocol (tcp and tls) makes the \
                agent send the visitor's address to the local service first, \
                as HAProxy and nginx expect. --pool (http, tls, tcp) lets every \
                agent of the same key (or of keys with the same burrow-owner \
                on the relay) serve the name or port at once; the relay \
                spreads visitors over them.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("What the mapping carries: http, tcp, udp or tls.", valueName: "http|tcp|udp|tls"))
        var kind: String

        @Argument(help: ArgumentHelp("The local service: PORT (on 127.0.0.1) or HOST:PORT ([::1]:PORT for IPv6).", valueName: "PORT | HOST:PORT"))
        var local: String

        @Option(help: ArgumentHelp("The mapping's name, also the public host name for http/tls: 1-63 of a-z, 0-9, '-'.", valueName: "NAME"))
        var name: String?

        @Option(help: ArgumentHelp("The relay port to ask for (tcp and udp only; default: the relay picks one and keeps it).", valueName: "N"))
        var remotePort: String?

        @Option(help: ArgumentHelp("The profile (relay) this mapping goes through (default: the selected profile).", valueName: "NAME"))
        var profile: String?

        @Flag(help: "Add the mapping switched off (turn it on with `burrow map enable NAME`).")
        var disabled = false

        @Option(help: ArgumentHelp("Let in only visitors from this IPv4/IPv6 network (repeatable; default: everyone).", valueName: "CIDR"))
        var allow: [String] = []

        @Option(help: ArgumentHelp("Refuse visitors from this network (repeatable; wins over --allow).", valueName: "CIDR"))
        var deny: [String] = []

        @Option(help: ArgumentHelp("Ask visitors for this user and password (http only; stored hashed).", valueName: "USER:PASSWORD"))
        var basicAuth: String?

        @Option(help: ArgumentHelp("Send the visitor's address to the local service in a PROXY protocol header (tcp and tls).", valueName: "v1|v2"))
        var proxyProtocol: String?

        @Flag(help: "Send plain-http visitors to the https URL (308) when the relay serves https for the name (http only).")
        var httpsRedirect = false

        @Flag(help: "Serve the name (or port) together with other agents of the same owner; the relay spreads visitors over them (http, tls, tcp).")
        var pool = false

        func run() async throws {
            // Values are parsed here rather than by ArgumentParser so a bad one
            // gets our one-line message instead of a usage dump.
            let kind = try MappingProtocol(parsing: kind)
            let local = try LocalAddress(parsing: local)
            let remotePort = try remotePort.map { text throws(ConfigError) in
                do { return try LocalAddress.parsePort(text) } catch {
                    throw .invalidCombination("invalid --remote-port '\(text)': use a number from 1 to 65535 (tcp and udp only)")
                }
            }
            let rules = try MapRuleOptions.parse(allow: allow, deny: deny, basicAuth: basicAuth, proxyProtocol: proxyProtocol)
            let store = global.store()
            let mapping = try store.addMapping(
                protocol: kind, local: local, name: name, remotePort: remotePort, profile: profile, enabled: !disabled,
                allow: rules.allow, deny: rules.deny, basicAuth: rules.basicAuth, proxyProtocol: rules.proxyProtocol,
                httpsRedirect: httpsRedirect, pool: pool)
            let route: String
            if let profile = mapping.profile {
                route = "profile '\(profile)'"
            } else if let selected = try store.loadConfig().selectedProfile {
                route = "follows the selected profile, now '\(selected)'"
            } else {
                route = "the embedded local relay until a profile is added"
            }
            let remote = mapping.remotePort.map { ", remote port \($0)" } ?? ""
            let state = mapping.enabled ? "" : ", disabled"
            CLIOutput.line("added mapping '\(mapping.name)' (\(mapping.protocol) \(mapping.local)\(remote), \(route)\(state))")
            let summary = MapRuleOptions.summary(mapping)
            if summary != "-" { CLIOutput.line("  rules: \(summary)") }
        }
    }
}
