import BurrowCore
import BurrowNIO
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import BurrowAgent

/// The agent's dial to a mapping's local service, on real sockets: an IP
/// address is connected to without a lookup (no getaddrinfo, no Happy
/// Eyeballs per visitor), a name still goes through the resolver, and the
/// dialer leaves the visitor's pipeline once the glue pair is joined.
@Suite("LocalDialer (loopback)")
struct LocalDialerTests {
    /// Answers every lookup with 127.0.0.1 (A) and nothing (AAAA), counting the questions.
    private final class CountingResolver: Resolver, Sendable {
        let loop: any EventLoop
        let port: Int
        let queries = Atomic<Int>(0)

        init(loop: any EventLoop, port: Int) {
            self.loop = loop
            self.port = port
        }

        func initiateAQuery(host: String, port: Int) -> EventLoopFuture<[SocketAddress]> {
            queries.add(1, ordering: .relaxed)
            return loop.makeCompletedFuture { [try SocketAddress(ipAddress: "127.0.0.1", port: self.port)] }
        }

        func initiateAAAAQuery(host: String, port: Int) -> EventLoopFuture<[SocketAddress]> {
            queries.add(1, ordering: .relaxed)
            return loop.makeSucceededFuture([])
        }

        func cancelQueries() {}
    }

    @Test("an IP address is dialed without asking the resolver (with a small first receive buffer); a name is looked up each time")
    func literalAddressesSkipTheResolver() async throws {
        let echo = try await EchoServer()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let resolver = CountingResolver(loop: loop, port: echo.port)
        do {
            let direct = try await LocalDialer.connect(LocalAddress(host: "127.0.0.1", port: echo.port), on: loop, resolver: resolver).get()
            #expect(direct.remoteAddress?.port == echo.port)
            #expect(resolver.queries.load(ordering: .relaxed) == 0)
            // An idle visitor keeps its last receive buffer: the first one is small.
            let receiving = try await direct.getOption(.recvAllocator).get()
            #expect((receiving as? AdaptiveRecvByteBufferAllocator)?.initial == 512)
            // NIO's defaults the dialer relies on: no Nagle delay, reading at once; half-closes are events.
            #expect(try await direct.getOption(.tcpOption(.tcp_nodelay)).get() != 0)
            #expect(try await direct.getOption(.autoRead).get())
            #expect(try await direct.getOption(.allowRemoteHalfClosure).get())
            let paused = try await LocalDialer.connect(LocalAddress(host: "127.0.0.1", port: echo.port), on: loop, autoRead: false).get()
            #expect(try await !paused.getOption(.autoRead).get())
            try await paused.close()
            try await direct.close()

            let named = try await LocalDialer.connect(LocalAddress(host: "service.localhost", port: echo.port), on: loop, resolver: resolver).get()
            #expect(named.remoteAddress?.port == echo.port)
            #expect(resolver.queries.load(ordering: .relaxed) > 0)
            try await named.close()
        } catch {
            Issue.record("dial failed: \(error)")
        }
        try await group.shutdownGracefully()
        await echo.stop()
    }

    /// Sends through the glue and reads the echo, then looks at the visitor's
    /// pipeline while the visitor is still connected: (the echo, whether only the glue is left).
    private static func visit(port: Int, accepted: EventLoopFuture<Channel>) throws -> (String, Bool) {
        let socket = try BlockingSocket(port: port)
        try socket.send("hello through the glue")
        let answer = String(decoding: try socket.read(count: 22), as: UTF8.self)
        let child = try accepted.wait()
        let dialerLeft = try child.eventLoop.submit {
            (try? child.pipeline.syncOperations.handler(type: LocalDialer.self)) == nil
                && (try? child.pipeline.syncOperations.handler(type: GlueHandler.self)) != nil
        }.wait()
        return (answer, dialerLeft)
    }

    @Test("once the local connection is joined the dialer leaves the visitor's pipeline, and bytes flow both ways")
    func theDialerLeavesOnceJoined() async throws {
        let echo = try await EchoServer()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let stats = MappingStats()
        let route = Route(mapping: "raw", protocol: .tcp, local: LocalAddress(port: echo.port), stats: stats)
        let accepted = group.next().makePromise(of: Channel.self)
        // A socket stands in for the visitor's SSH channel: the dialer needs only an active channel.
        let server = try await ServerBootstrap(group: group)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    let (visitorSide, localSide) = GlueHandler.matchedPair(first: child.eventLoop, second: child.eventLoop)
                    try child.pipeline.syncOperations.addHandler(LocalDialer(route: route, localSide: localSide, onRefused: { _, _, _ in }))
                    try child.pipeline.syncOperations.addHandler(visitorSide)
                    accepted.succeed(child)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(server.localAddress?.port)
        let accepting = accepted.futureResult
        // Off the cooperative pool (a blocking socket).
        let (answer, dialerLeft) = try await Task.detached { try Self.visit(port: port, accepted: accepting) }.value
        #expect(answer == "hello through the glue")
        #expect(dialerLeft)
        try await server.close()
        try await group.shutdownGracefully()
        await echo.stop()
    }
}
