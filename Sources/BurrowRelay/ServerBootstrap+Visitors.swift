import BurrowNIO
import NIOCore
import NIOPosix

extension ServerBootstrap {
    /// A listener for visitors (the HTTP and TLS ports, each TCP forward):
    /// a 1024 backlog — NIO's default of 128 overflows when hundreds of
    /// visitors arrive at once, and the excess meet a reset after their
    /// handshake (found by scripts/soak) — no Nagle delay, and half-closes
    /// passed on (request/response protocols shut their output early), and
    /// small first receive buffers that grow with the traffic (an idle
    /// visitor keeps its last one: `VisitorReceiveBuffers`).
    static func visitorListener(group: any EventLoopGroup) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.recvAllocator, value: VisitorReceiveBuffers.allocator)
    }
}
