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
    /// First line the agent sends.
    case hello(agentVersion: String)
    /// Round-trip probe; the relay answers `pong` with the same id.
    case ping(id: Int)
}

/// Relay → agent.
public enum RelayMessage: Sendable, Equatable {
    /// First line the relay sends after `exec "burrow-control"`.
    case welcome(relayVersion: String, domain: String)
    /// A `tcpip-forward` was granted: this is the public URL of `bindHost:bindPort`
    /// (`bindPort` is the port the agent asked for; `boundPort` the one the relay bound).
    case forwarded(bindHost: String, bindPort: Int, boundPort: Int, url: PublicURL)
    /// A `tcpip-forward` was refused; sent just before the SSH request fails,
    /// because SSH's REQUEST_FAILURE carries no reason.
    case refused(bindHost: String, bindPort: Int, reason: String)
    /// Human text from the relay (limits, shutdown…).
    case notice(String)
    case pong(id: Int)
}

/// Encodes and decodes control lines. A line longer than `maximumLineLength`
/// is rejected before it is parsed.
public enum ControlCodec {
    public static let command = "burrow-control"
    public static let maximumLineLength = 64 * 1024

    public static func encode(_ message: AgentMessage) -> String {
        var wire = Wire(type: "")
        switch message {
        case .hello(let version): wire.type = "hello"; wire.version = version
        case .ping(let id): wire.type = "ping"; wire.id = id
        }
        return wire.line()
    }

    public static func encode(_ message: RelayMessage) -> String {
        var wire = Wire(type: "")
        switch message {
        case .welcome(let version, let domain):
            wire.type = "welcome"; wire.version = version; wire.domain = domain
        case .forwarded(let host, let port, let bound, let url):
            wire.type = "forwarded"; wire.bindHost = host; wire.bindPort = port; wire.boundPort = bound; wire.url = url.description
        case .refused(let host, let port, let reason):
            wire.type = "refused"; wire.bindHost = host; wire.bindPort = port; wire.reason = reason
        case .notice(let text): wire.type = "notice"; wire.message = text
        case .pong(let id): wire.type = "pong"; wire.id = id
        }
        return wire.line()
    }

    public static func decodeAgentMessage(_ line: some StringProtocol) throws(CoreError) -> AgentMessage {
        let wire = try Wire.parse(line)
        switch wire.type {
        case "hello": return .hello(agentVersion: try wire.require(wire.version, "version"))
        case "ping": return .ping(id: try wire.require(wire.id, "id"))
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
            return .forwarded(
                bindHost: try wire.require(wire.bindHost, "bindHost"),
                bindPort: try wire.require(wire.bindPort, "bindPort"),
                boundPort: try wire.require(wire.boundPort, "boundPort"),
                url: try PublicURL(parsing: urlText))
        case "refused":
            return .refused(
                bindHost: try wire.require(wire.bindHost, "bindHost"),
                bindPort: try wire.require(wire.bindPort, "bindPort"),
                reason: try wire.require(wire.reason, "reason"))
        case "notice": return .notice(try wire.require(wire.message, "message"))
        case "pong": return .pong(id: try wire.require(wire.id, "id"))
        default: throw .invalidMessage("unknown type '\(wire.type)'")
        }
    }

    /// The flat JSON object every message is written as.
    private struct Wire: Codable {
        var type: String
        var version: String?
        var domain: String?
        var bindHost: String?
        var bindPort: Int?
        var boundPort: Int?
        var url: String?
        var reason: String?
        var message: String?
        var id: Int?

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
