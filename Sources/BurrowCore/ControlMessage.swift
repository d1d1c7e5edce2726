#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// The `burrow-control` protocol: what SSH itself lacks (assigned URLs, refusal
// reasons, relay notices, latency probes) travels as JSON lines on one
// `session` channel opened with `exec "burrow-control"`. One line = one JSON
// object with a "type" field. This file is the whole wire vocabulary.

/// Agent → relay.
public enum AgentMessage: Sendable, Equatable {
    /// First line the agent sends. `instance`: the agent's run (`AgentInstance`,
    /// one per tunnel run, shared by its connections): a second connection of
    /// the same key and instance registering a name it already holds joins it
    /// instead of taking it over. Absent from older agents (wire `instance`).
    /// `connection`: which of the run's connections this is (0, 1, …): a
    /// new one replaces the run's older connection of the same number, which
    /// the agent has given up on (wire `connection`, with `instance` only).
    /// `{"type":"hello","version":"0.9.0","instance":"9f…e1","connection":1}`
    case hello(agentVersion: String, instance: String? = nil, connection: Int? = nil)
    /// Round-trip probe; the relay answers `pong` with the same id.
    case ping(id: Int)
    /// Sent before a mapping's `tcpip-forward`: its kind (UDP needs a UDP
    /// port, not a TCP one) and the access rules the relay enforces on it.
    /// The relay answers `registered` (or `refused` with bindPort 0), echoing
    /// `requestID` (wire `"id"`) so the agent matches the answer to this very
    /// request, not by name (a relay that predates ids answers without one).
    /// `{"type":"register","id":7,"name":"shop","protocol":"http","allow":["10.0.0.0/8"],"deny":["10.9.0.0/16"],
    ///   "basicAuth":{"user":"alice","salt":"…","sha256":"…"},"httpsRedirect":true}` (id, allow, deny, basicAuth,
    ///   httpsRedirect optional; `"pool":true` joins the name's pool).
    case register(MappingRegistration, requestID: Int? = nil)
    /// The local service of the mapping `name` refused the agent's dial
    /// (`up: false`) or answers again (`up: true`). A pooled forward leaves
    /// its pool while down and rejoins when up; others ignore it.
    /// `{"type":"service","name":"web","up":false}`
    case service(name: String, up: Bool)
}

/// Relay → agent.
public enum RelayMessage: Sendable, Equatable {
    /// First line the relay sends after `exec "burrow-control"`.
    case welcome(relayVersion: String, domain: String)
    /// A `tcpip-forward` was granted: this is the public URL of `bindHost:bindPort`
    /// (`bindPort` is the port the agent asked for; `boundPort` the one the relay bound).
    /// `alsoURL`: the same mapping's other URL — the plain `http://` one
    /// when `url` is the `https://` one the relay terminates (wire `alsoURL`,
    /// absent from older relays).
    case forwarded(bindHost: String, bindPort: Int, boundPort: Int, url: PublicURL, alsoURL: PublicURL? = nil)
    /// A `tcpip-forward` was refused; sent just before the SSH request fails,
    /// because SSH's REQUEST_FAILURE carries no reason. A refused `register`
    /// has bindPort 0 and echoes the register's `requestID` (wire `"id"`).
    case refused(bindHost: String, bindPort: Int, reason: String, requestID: Int? = nil)
    /// Human text from the relay (limits, shutdown…).
    /// `informational`: news, not a problem ("https ready", a takeover, a
    /// shutdown); wire `"level": "info"`. Without it (and from older relays)
    /// a notice is a warning the agent shows as an error.
    case notice(String, informational: Bool = false)
    case pong(id: Int)
    /// The `register` of `name` was accepted; its `tcpip-forward` may follow.
    /// `{"type":"registered","id":7,"name":"shop"}` (id echoed when the register had one).
    case registered(name: String, requestID: Int? = nil)
    /// The relay answered an HTTP visitor itself, refusing it (basic auth,
    /// access rules, limits…): the agent lists it among the mapping's requests
    /// as answered by the relay.
    /// `{"type":"requestRefused","name":"web","status":401,"method":"GET","target":"/","visitor":"1.2.3.4:5555"}`
    case requestRefused(RefusedRequest)
    /// The https certificate of the mapping `name` (an http mapping the relay
    /// terminates): pending, ready, or failed with the reason.
    case https(name: String, status: HTTPSStatus)
    /// The pool of the mapping `name` changed (a member joined, left, went
    /// down or came back): `online` members take visitors now, of `members`
    /// connected. Sent to every member. `{"type":"pool","name":"web","online":2,"members":3}`
    case pool(name: String, online: Int, members: Int)
    /// The live members of this relay's fleet (`burrow serve --cluster`),
    /// this relay included, as the SSH endpoints agents dial (`host:port`,
    /// each member's advertised address). Sent after `welcome` and whenever
    /// the fleet changes. An agent whose profile names a fleet holds one
    /// connection to each. `{"type":"fleet","relays":["r1.example.com:2222","r2.example.com:2222"]}`
    case fleet(relays: [String])
}

/// Encodes and decodes control lines. A line longer than `maximumLineLength`
/// is rejected before it is parsed.
public enum ControlCodec {
    public static let command = "burrow-control"
    public static let maximumLineLength = 64 * 1024

    public static func encode(_ message: AgentMessage) -> String {
        var wire = Wire(type: "")
        switch message {
        case .hello(let version, let instance, let connection):
            wire.type = "hello"; wire.version = version; wire.instance = instance; wire.connection = instance == nil ? nil : connection
        case .ping(let id): wire.type = "ping"; wire.id = id
        case .register(let registration, let requestID):
            wire.type = "register"; wire.id = requestID; wire.name = registration.name; wire.protocol = registration.protocol.rawValue
            wire.allow = registration.allow.isEmpty ? nil : registration.allow.map(\.description)
            wire.deny = registration.deny.isEmpty ? nil : registration.deny.map(\.description)
            wire.basicAuth = registration.basicAuth
            wire.httpsRedirect = registration.httpsRedirect ? true : nil
            wire.pool = registration.pool ? true : nil
        case .service(let name, let up):
            wire.type = "service"; wire.name = name; wire.up = up
        }
        return wire.line()
    }

    public static func encode(_ message: RelayMessage) -> String {
        var wire = Wire(type: "")
        switch message {
        case .welcome(let version, let domain):
            wire.type = "welcome"; wire.version = version; wire.domain = domain
        case .forwarded(let host, let port, let bound, let url, let also):
            wire.type = "forwarded"; wire.bindHost = host; wire.bindPort = port; wire.boundPort = bound; wire.url = url.description
            wire.alsoURL = also?.description
        case .refused(let host, let port, let reason, let requestID):
            wire.type = "refused"; wire.bindHost = host; wire.bindPort = port; wire.reason = reason; wire.id = requestID
        case .notice(let text, let informational):
            wire.type = "notice"; wire.message = text
            if informational { wire.level = "info" }
        case .pong(let id): wire.type = "pong"; wire.id = id
        case .registered(let name, let requestID): wire.type = "registered"; wire.name = name; wire.id = requestID
        case .requestRefused(let request):
            wire.type = "requestRefused"; wire.name = request.name; wire.status = request.status
            wire.method = request.method; wire.target = request.target; wire.visitor = request.visitor
        case .https(let name, let status):
            wire.type = "https"; wire.name = name; wire.state = status.wireState
            if case .failed(let reason) = status { wire.reason = reason }
        case .pool(let name, let online, let members):
            wire.type = "pool"; wire.name = name; wire.online = online; wire.members = members
        case .fleet(let relays):
            wire.type = "fleet"; wire.relays = relays
        }
        return wire.line()
    }

    public static func decodeAgentMessage(_ line: some StringProtocol) throws(CoreError) -> AgentMessage {
        let wire = try Wire.parse(line)
        switch wire.type {
        case "hello":
            if let instance = wire.instance { try AgentInstance.validate(instance) }
            if let connection = wire.connection, wire.instance == nil || !(0..<1024).contains(connection) {
                throw .invalidMessage("'hello' with connection \(connection) (0-1023, with an instance)")
            }
            return .hello(agentVersion: try wire.require(wire.version, "version"), instance: wire.instance, connection: wire.connection)
        case "ping": return .ping(id: try wire.require(wire.id, "id"))
        case "register":
            let name = try wire.require(wire.name, "name")
            try DNSLabel.validate(name)
            let kind = try MappingProtocol(parsing: try wire.require(wire.protocol, "protocol"))
            var allow: [CIDR] = []
            for text in wire.allow ?? [] { allow.append(try CIDR(parsing: text)) }
            var deny: [CIDR] = []
            for text in wire.deny ?? [] { deny.append(try CIDR(parsing: text)) }
            if let basicAuth = wire.basicAuth { try basicAuth.validate() }
            return .register(
                MappingRegistration(
                    name: name, protocol: kind, allow: allow, deny: deny, basicAuth: wire.basicAuth,
                    httpsRedirect: wire.httpsRedirect ?? false, pool: wire.pool ?? false),
                requestID: wire.id)
        case "service":
            let name = try wire.require(wire.name, "name")
            try DNSLabel.validate(name)
            return .service(name: name, up: try wire.require(wire.up, "up"))
        default: throw .invalidMessage("unknown type '\(wire.type)'")
        }
    }

    public static func decodeRelayMessage(_ line: some StringProtocol) throws(CoreError) -> RelayMessage {
        let wire = try Wire.parse(line)
        switch wire.type {
        case "welcome":
            return .welcome(relayVersion: try wire.require(wire.version, "version"), domain: try wire.require(wire.domain, "domain"))
        case "forwarded":
            let urlText = try wire.require(wire.url, "url")
            var also: PublicURL?
            if let alsoText = wire.alsoURL { also = try PublicURL(parsing: alsoText) }
            return .forwarded(
                bindHost: try wire.require(wire.bindHost, "bindHost"),
                bindPort: try wire.require(wire.bindPort, "bindPort"),
                boundPort: try wire.require(wire.boundPort, "boundPort"),
                url: try PublicURL(parsing: urlText),
                alsoURL: also)
        case "refused":
            return .refused(
                bindHost: try wire.require(wire.bindHost, "bindHost"),
                bindPort: try wire.require(wire.bindPort, "bindPort"),
                reason: try wire.require(wire.reason, "reason"),
                requestID: wire.id)
        case "notice": return .notice(try wire.require(wire.message, "message"), informational: wire.level == "info")
        case "pong": return .pong(id: try wire.require(wire.id, "id"))
        case "registered": return .registered(name: try wire.require(wire.name, "name"), requestID: wire.id)
        case "requestRefused":
            return .requestRefused(RefusedRequest(
                name: try wire.require(wire.name, "name"), status: try wire.require(wire.status, "status"),
                method: try wire.require(wire.method, "method"), target: try wire.require(wire.target, "target"),
                visitor: wire.visitor ?? ""))
        case "https":
            let name = try wire.require(wire.name, "name")
            switch try wire.require(wire.state, "state") {
            case "pending": return .https(name: name, status: .pending)
            case "ready": return .https(name: name, status: .ready)
            case "failed": return .https(name: name, status: .failed(reason: wire.reason ?? "unknown"))
            case let other: throw .invalidMessage("unknown https state '\(other)'")
            }
        case "pool":
            let online = try wire.require(wire.online, "online")
            let members = try wire.require(wire.members, "members")
            guard online >= 0, members >= online else { throw .invalidMessage("'pool' with online \(online) of \(members) members") }
            return .pool(name: try wire.require(wire.name, "name"), online: online, members: members)
        case "fleet":
            let relays = try wire.require(wire.relays, "relays")
            guard relays.count <= 64 else { throw .invalidMessage("'fleet' with \(relays.count) relays (at most 64)") }
            for relay in relays { _ = try Profile.parseEndpoint(relay) }
            return .fleet(relays: relays)
        default: throw .invalidMessage("unknown type '\(wire.type)'")
        }
    }

    /// The flat JSON object every message is written as.
    private struct Wire: Codable {
        var type: String
        var version: String?
        var instance: String?
        var connection: Int?
        var domain: String?
        var bindHost: String?
        var bindPort: Int?
        var boundPort: Int?
        var url: String?
        var alsoURL: String?
        var level: String?
        var state: String?
        var reason: String?
        var message: String?
        var id: Int?
        var name: String?
        var `protocol`: String?
        var allow: [String]?
        var deny: [String]?
        var basicAuth: BasicAuthRule?
        var httpsRedirect: Bool?
        var pool: Bool?
        var up: Bool?
        var online: Int?
        var members: Int?
        var relays: [String]?
        var status: Int?
        var method: String?
        var target: String?
        var visitor: String?

        func line() -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            // Encoding a struct of strings and ints cannot fail.
            let data = (try? encoder.encode(self)) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }

        static func parse(_ line: some StringProtocol) throws(CoreError) -> Wire {
            guard line.utf8.count <= ControlCodec.maximumLineLength else {
                throw .invalidMessage("line longer than \(ControlCodec.maximumLineLength) bytes")
            }
            do {
                return try JSONDecoder().decode(Wire.self, from: Data(line.utf8))
            } catch {
                throw .invalidMessage("not a JSON control object")
            }
        }

        func require<T>(_ value: T?, _ field: String) throws(CoreError) -> T {
            guard let value else { throw .invalidMessage("'\(type)' without '\(field)'") }
            return value
        }
    }
}
