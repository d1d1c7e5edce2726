@testable import BurrowAPI
@testable import BurrowCore
import Foundation
import Testing

/// What the client reads back is what the engine had: every field of a
/// snapshot, an exchange and each event survives the API's JSON.
@Suite struct WireTests {
    static func sample() throws -> EngineSnapshot {
        var shop = MappingSnapshot(
            mapping: Mapping(name: "shop", protocol: .http, local: LocalAddress(port: 3000), allow: [try CIDR(parsing: "10.0.0.0/8")],
                             basicAuth: BasicAuthRule(user: "alice", salt: "00ff", sha256: String(repeating: "a", count: 64))),
            tunnel: "home", state: .online, publicURL: try PublicURL(parsing: "https://shop.example.com"),
            traffic: MappingTraffic(
                openVisitors: 2, totalVisitors: 9, bytesIn: 1234, bytesOut: 98765, rateIn1s: 1.5, rateOut1s: 2.5, rateIn10s: 3, rateOut10s: 4,
                visitorsPerSecond1m: 0.25, visitorsPerSecond5m: 0.125, durationP50Ms: 12, durationP90Ms: 40, durationP99Ms: 90,
                history: [0, 1, 2.5],
                recentVisitors: [VisitorRecord(address: "1.2.3.4:5555", startedAt: 1000.5, durationMs: nil, bytesIn: 1, bytesOut: 2)],
                recentRequests: [HTTPRequestRecord(id: 7, time: 1001, method: "GET", path: "/x?y=1", status: 401, durationMs: 3.5,
                                                   responseBytes: 12, answeredBy: .relay, visitor: "1.2.3.4:5555")]))
        shop.alsoURL = try PublicURL(parsing: "http://shop.example.com")
        shop.https = .failed(reason: "rate limited")
        shop.localServiceDown = true
        shop.mapping.pool = true
        shop.pool = PoolSize(online: 2, members: 3)
        shop.relays = RelayCount(serving: 2, of: 3)
        let games = MappingSnapshot(
            mapping: Mapping(name: "games", protocol: .udp, local: LocalAddress(port: 27015), remotePort: 27015, enabled: true),
            tunnel: "home", state: .refused(reason: "port taken"))
        let off = MappingSnapshot(mapping: Mapping(name: "off", protocol: .tcp, local: LocalAddress(port: 22), enabled: false),
                                  tunnel: "local", state: .disabled)
        var snapshot = EngineSnapshot(takenAt: 1234.5, tunnels: [
            TunnelSnapshot(profile: "home", relay: "relay.example.com:2222", state: .reconnecting(retryAt: 1240, reason: "refused"),
                           rttMs: 12.5, connectedSince: nil, reconnects: 3, domain: "example.com"),
            TunnelSnapshot(profile: "local", relay: "embedded relay on 127.0.0.1:8080", state: .offline(reason: "stopped")),
            TunnelSnapshot(profile: "b", relay: "b:22", state: .connecting),
        ], mappings: [shop, games, off])
        // A fleet: the primary online, a member only the relays named, one reconnecting.
        snapshot.tunnels[0].members = [
            RelayMemberSnapshot(relay: "relay.example.com:2222", state: .online, rttMs: 3.5, connectedSince: 1200, reconnects: 1),
            RelayMemberSnapshot(relay: "r2.example.com:2222", state: .online, fromProfile: false),
            RelayMemberSnapshot(relay: "r3.example.com:2022", state: .reconnecting(retryAt: 1240, reason: "refused"), reconnects: 2),
        ]
        return snapshot
    }

    static func sampleExchange() -> HTTPExchange {
        HTTPExchange(
            id: 42, mapping: "shop", time: 99.5, visitor: "1.2.3.4:1", method: "POST", target: "/api?q=1",
            requestHeaders: [HTTPHeaderField(name: "Host", value: "shop"), HTTPHeaderField(name: "X-A", value: "1"),
                             HTTPHeaderField(name: "X-A", value: "2")],
            requestBody: Array("héllo".utf8), requestBodyBytes: 70_000, status: 201, reason: "Created",
            responseHeaders: [HTTPHeaderField(name: "Content-Type", value: "application/octet-stream")],
            responseBody: [0xff, 0x00, 0xfe], responseBodyBytes: 3, firstByteMs: 1.5, totalMs: 2.5, answeredBy: .agent, replayOf: 41)
    }

    /// One of each event, and the optional fields both present and absent.
    static func sampleEvents() throws -> [EngineEvent] {
        [
            .connecting(tunnel: "home", relay: "r:22"), .connected(tunnel: "home", relay: "r:22"),
            .online(mapping: "web", url: try PublicURL(parsing: "https://web.example.com"), local: LocalAddress(port: 3000),
                    also: try PublicURL(parsing: "http://web.example.com")),
            .online(mapping: "ssh", url: try PublicURL(parsing: "tcp://example.com:20022"), local: LocalAddress(port: 22), also: nil),
            .reconnecting(tunnel: "home", retryInSeconds: 2.5, reason: "reset"), .offline(tunnel: "home", reason: "gone"),
            .error(mapping: "web", message: "down"), .error(mapping: nil, message: "config"), .removed(mapping: "web"),
            .disabled(mapping: "web"), .moved(mapping: "web", tunnel: "b"), .notice("hello \"you\""),
        ]
    }

    @Test func snapshotSurvivesTheWire() throws {
        let snapshot = try Self.sample()
        let bytes = try JSONEncoder().encode(WireSnapshot(snapshot))
        let back = try JSONDecoder().decode(WireSnapshot.self, from: bytes).value()
        #expect(back == snapshot)
        // States read as words, details beside them.
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""state":"reconnecting""#) && text.contains(#""retryAt":1240"#), "\(text)")
        #expect(text.contains(#""state":"refused""#) && text.contains(#""reason":"port taken""#))
    }

    @Test func exchangeSurvivesTheWire() throws {
        let exchange = Self.sampleExchange()
        let bytes = try JSONEncoder().encode(WireExchange(exchange, bodies: true))
        #expect(try JSONDecoder().decode(WireExchange.self, from: bytes).value() == exchange)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains(#""text":"héllo""#) && text.contains(#""truncated":true"#), "\(text)")
        // The list leaves bodies out.
        let listed = try JSONDecoder().decode(WireExchange.self, from: try JSONEncoder().encode(WireExchange(exchange, bodies: false))).value()
        #expect(listed.requestBody.isEmpty && listed.responseBody.isEmpty && listed.requestBodyBytes == 70_000)
    }

    @Test func everyEventSurvivesItsLine() throws {
        let events = try Self.sampleEvents()
        for event in events {
            #expect(try JSONDecoder().decode(EngineEventLine.self, from: Data(event.jsonLine.utf8)).value == event)
        }
    }

    @Test func mappingEntryIsTheFileEntryPlusState() throws {
        let mapping = Mapping(name: "web", protocol: .http, local: LocalAddress(port: 3000), profile: "home")
        let entry = MappingEntry(mapping: mapping, state: "online", tunnel: "home", url: "http://web.example.com")
        let bytes = try JSONEncoder().encode(entry)
        let object = try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any])
        #expect(object["name"] as? String == "web" && object["local"] as? String == "127.0.0.1:3000" && object["state"] as? String == "online")
        #expect(try JSONDecoder().decode(MappingEntry.self, from: bytes) == entry)
    }
}
