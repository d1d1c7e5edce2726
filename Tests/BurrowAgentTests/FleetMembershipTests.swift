import BurrowCore
import BurrowTestSupport
import NIOPosix
import Testing
@testable import BurrowAgent

/// Who belongs to a fleet tunnel (no network: every member is a tunnel that
/// cannot run, so none is ever online): the profile's relays always, the
/// relays' `fleet` message adds members, a member only the relays named is
/// dropped once they stop listing it; a fleet of one keeps the old snapshot.
@Suite struct FleetMembershipTests {
    final class Made: Sendable {
        let endpoints = Locked<[String]>([])
        let onFleet = Locked<(@Sendable ([String]) -> Void)?>(nil)
    }

    static func fleet(_ relays: [String], follows: Bool = true, group: MultiThreadedEventLoopGroup, made: Made) -> FleetTunnel {
        let hub = EventHub()
        return FleetTunnel(name: "prod", relays: relays, followsFleet: follows, hub: hub, inspector: Inspector()) { endpoint, router, role in
            made.endpoints.withLock { $0.append(endpoint) }
            if let onFleet = role.onFleet { made.onFleet.withLock { $0 = onFleet } }
            return Tunnel(unavailable: "prod", relay: endpoint, reason: "test", group: group, hub: hub, router: router)
        }
    }

    /// Polls (bounded) until the fleet's members are `expected`.
    static func waitForMembers(_ fleet: FleetTunnel, _ expected: [String]) async throws -> TunnelSnapshot {
        let deadline = ContinuousClock.now + .seconds(10)
        var last: TunnelSnapshot?
        while ContinuousClock.now < deadline {
            await fleet.sample(now: WallClock.now())
            let snapshot = await fleet.snapshot(now: WallClock.now()).tunnel
            last = snapshot
            if snapshot.members.map(\.relay) == expected { return snapshot }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("members never became \(expected); last \(last?.members.map(\.relay) ?? [])")
    }

    @Test func aRemoteRelayCannotPointTheAgentAtItsOwnMachine() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let made = Made()
        let fleet = Self.fleet(["r1.example.com:2222"], group: group, made: made)
        await fleet.apply(Mapping(name: "web", protocol: .http, local: LocalAddress(port: 3000)))
        _ = await fleet.snapshot(now: WallClock.now())
        let tell = try #require(made.onFleet.withLock { $0 })
        tell(["r1.example.com:2222", "127.0.0.1:22", "localhost:5432", "[::1]:2222", "0.0.0.0:2222", "r2.example.com:2222"])
        _ = try await Self.waitForMembers(fleet, ["r1.example.com:2222", "r2.example.com:2222"])
        #expect(made.endpoints.withLock { $0 } == ["r1.example.com:2222", "r2.example.com:2222"])
        await fleet.stop()
        // A profile on this machine (a relay on the PC, the tests) takes loopback members.
        let local = Self.fleet(["127.0.0.1:2222"], group: group, made: made)
        await local.apply(Mapping(name: "web", protocol: .http, local: LocalAddress(port: 3000)))
        _ = await local.snapshot(now: WallClock.now())
        let tellLocal = try #require(made.onFleet.withLock { $0 })
        tellLocal(["127.0.0.1:2222", "127.0.0.1:2223"])
        _ = try await Self.waitForMembers(local, ["127.0.0.1:2222", "127.0.0.1:2223"])
        await local.stop()
        try await group.shutdownGracefully()
    }

    @Test func theRelaysListAddsAndDropsMembersButNeverTheProfiles() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let made = Made()
        let fleet = Self.fleet(["a:2222", "b:2222"], group: group, made: made)
        await fleet.apply(Mapping(name: "web", protocol: .http, local: LocalAddress(port: 3000)))
        let first = await fleet.snapshot(now: WallClock.now())
        #expect(first.tunnel.members.map(\.relay) == ["a:2222", "b:2222"])
        #expect(first.tunnel.relays == RelayCount(serving: 0, of: 2))
        #expect(first.mappings.first?.relays == RelayCount(serving: 0, of: 2))

        let tell = try #require(made.onFleet.withLock { $0 })
        tell(["b:2222", "c", "c:2222", "not a host"])
        let grown = try await Self.waitForMembers(fleet, ["a:2222", "b:2222", "c:2222"])
        #expect(grown.members.map(\.fromProfile) == [true, true, false])
        #expect(made.endpoints.withLock { $0 } == ["a:2222", "b:2222", "c:2222"])
        #expect(await fleet.snapshot(now: WallClock.now()).mappings.first?.relays == RelayCount(serving: 0, of: 3))

        // The relays stop listing c (and b): c, down, leaves; b is the profile's and stays.
        tell(["a:2222"])
        _ = try await Self.waitForMembers(fleet, ["a:2222", "b:2222"])
        await fleet.stop()
        try await group.shutdownGracefully()
    }

    @Test func aTunnelToOneRelayHasNoMembersOnScreen() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let made = Made()
        let fleet = Self.fleet(["embedded relay on 127.0.0.1:8080"], follows: false, group: group, made: made)
        await fleet.apply(Mapping(name: "web", protocol: .http, local: LocalAddress(port: 3000)))
        let snapshot = await fleet.snapshot(now: WallClock.now())
        #expect(snapshot.tunnel.members.isEmpty && snapshot.tunnel.relays == nil)
        #expect(snapshot.mappings.first?.relays == nil)
        #expect(made.onFleet.withLock { $0 } == nil)
        await fleet.stop()
        try await group.shutdownGracefully()
    }
}
