import BurrowNIO
import BurrowCore
import NIOCore

/// One granted `tcpip-forward` of a session: an HTTP name or a TCP listener.
/// Lives on its session's event loop; the counters are plain fields there.
final class Forward {
    enum Kind: Equatable {
        case http(name: String)
        case tcp(port: Int)
        /// Routed by SNI on the relay's TLS port, passed through unopened.
        case tls(name: String)
        /// A UDP port of its own; each visitor address is a flow (a channel).
        case udp(port: Int)
    }

    let id: UInt64
    /// The bind address exactly as the client sent it; echoed in `forwarded-tcpip`.
    let bindHost: String
    /// The bind port the client asked for (80 for HTTP, 0 for "relay picks").
    let requestedPort: Int
    let kind: Kind
    let url: PublicURL
    /// The same mapping's other URL: plain http beside an https `url`.
    var alsoURL: PublicURL?
    /// The TCP listener (nil for HTTP, which shares the relay's HTTP port).
    var listener: (any Channel)?
    /// `bandwidthBytesPerSecond`, shared by every visitor of this forward.
    var bandwidth: TokenBucket?
    /// Who may visit (from the agent's `register`; open for plain `ssh -R`).
    var policy = AccessPolicy.open
    /// Serves its name or port in a pool with other connections (`ForwardRegistry`).
    var pooled = false

    var totalVisitors = 0
    /// Visitor → agent, of visitors that left.
    var bytesIn: UInt64 = 0
    /// Agent → visitor, of visitors that left.
    var bytesOut: UInt64 = 0
    /// The byte tally of each visitor still connected (counted on its SSH
    /// channel: written = to the agent), which a snapshot adds in.
    private var active: [ObjectIdentifier: ByteTally] = [:]

    var openVisitors: Int { active.count }

    func visitorOpened(_ tally: ByteTally) {
        active[ObjectIdentifier(tally)] = tally
        totalVisitors += 1
    }

    func visitorClosed(_ tally: ByteTally) {
        guard active.removeValue(forKey: ObjectIdentifier(tally)) != nil else { return }
        bytesIn += tally.writtenBytes
        bytesOut += tally.readBytes
    }

    var snapshot: RelayForwardSnapshot {
        RelayForwardSnapshot(
            url: url, bindHost: bindHost, requestedPort: requestedPort, openVisitors: active.count,
            totalVisitors: totalVisitors,
            bytesIn: active.values.reduce(bytesIn) { $0 + $1.writtenBytes },
            bytesOut: active.values.reduce(bytesOut) { $0 + $1.readBytes })
    }

    init(id: UInt64, bindHost: String, requestedPort: Int, kind: Kind, url: PublicURL) {
        self.id = id
        self.bindHost = bindHost
        self.requestedPort = requestedPort
        self.kind = kind
        self.url = url
    }

    /// The port the relay bound: the TCP port, or the requested port for HTTP.
    var boundPort: Int {
        switch kind {
        case .http, .tls: return requestedPort
        case .tcp(let port), .udp(let port): return port
        }
    }

    /// The port `forwarded-tcpip` channels name: the requested one for HTTP,
    /// the bound one for TCP (RFC 4254 §7.2, what OpenSSH matches on).
    var channelPort: Int { boundPort }

    var httpName: String? {
        if case .http(let name) = kind { return name }
        return nil
    }

    var tlsName: String? {
        if case .tls(let name) = kind { return name }
        return nil
    }

    /// Matches a `cancel-tcpip-forward`: by the address asked for, and the port asked for or bound.
    func matches(host: String, port: Int) -> Bool {
        bindHost == host && (requestedPort == port || boundPort == port)
    }
}
