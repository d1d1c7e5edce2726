import NIOCore

/// The receive buffers of a visitor's sockets: the relay's side of each
/// visitor (HTTP, TLS and TCP ports) and the agent's connection to the local
/// service. NIO keeps a connection's last receive buffer for its next read,
/// so every idle visitor holds one: a small first size (NIO's default is
/// 2 KiB) keeps idle visitors small, and the size still grows (×16, then to
/// the maximum) as soon as a read fills a buffer, so a download takes one or
/// two more reads, not more.
public enum VisitorReceiveBuffers {
    public static let allocator = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 512, maximum: 65_536)
}
