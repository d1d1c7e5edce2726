#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix

/// One listening socket per event loop on the same port (`SO_REUSEPORT`),
/// for a port whose visitors go to any loop (the HTTP port).
///
/// With one listener, a connection accepted on the listener's loop but
/// given to another loop crosses threads before its first byte (NIO
/// registers it there with a task: a wake-up of that loop per visitor). Here
/// the kernel spreads new connections over the loops' listeners, and each
/// visitor stays on the loop that accepted it.
///
/// `SO_REUSEPORT` lets other sockets of the same user join the port, so a
/// second relay started on it would silently share the visitors. A plain
/// bind of the address first (no `SO_REUSEPORT`, no listen, closed at once)
/// keeps the old answer: a port in use by anyone fails as before, and for
/// port 0 it picks the free port the loops then share.
enum PerLoopListener {
    static func make(
        group: any EventLoopGroup, host: String, port: Int, childChannelInitializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>
    ) async throws -> [any Channel] {
        let address = try SocketAddress.makeAddressResolvingHost(host, port: port)
        let free = try probe(address)
        var listeners: [any Channel] = []
        do {
            for loop in group.makeIterator() {
                let listener = try await ServerBootstrap.visitorListener(group: loop)
                    .serverChannelOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: 1)
                    .childChannelInitializer(childChannelInitializer)
                    .bind(host: host, port: free).get()
                listeners.append(listener)
            }
        } catch {
            for listener in listeners { try? await listener.close() }
            throw error
        }
        return listeners
    }

    /// Binds `address` alone for a moment: the port it got (the one asked,
    /// or a free one for 0), or the bind's error when the port is taken.
    private static func probe(_ address: SocketAddress) throws -> Int {
        #if canImport(Darwin)
        let stream = SOCK_STREAM
        #else
        let stream = Int32(SOCK_STREAM.rawValue)
        #endif
        let descriptor = socket(Int32(address.protocol.rawValue), stream, 0)
        guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        defer { close(descriptor) }
        var one: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = address.withSockAddr { pointer, size in bind(descriptor, pointer, socklen_t(size)) }
        guard bound == 0 else { throw IOError(errnoCode: errno, reason: "bind(descriptor:ptr:bytes:)") }
        guard address.port == 0 else { return address.port ?? 0 }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw IOError(errnoCode: errno, reason: "getsockname") }
        let port = storage.ss_family == sa_family_t(AF_INET6)
            ? withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port } }
            : withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port } }
        return Int(UInt16(bigEndian: port))
    }
}
