import BurrowCore
import NIOCore

/// The PROXY protocol header (HAProxy's "PROXY protocol" spec, versions 1
/// and 2) the agent writes to a TCP or TLS mapping's local service before any
/// visitor byte: the source is the visitor's address (the `forwarded-tcpip`
/// originator), the destination the local service's address. An IPv4-mapped
/// IPv6 visitor (a dual-stack relay socket) is written as IPv4.
enum ProxyProtocolHeader {
    /// The 12-byte signature that starts every v2 header.
    static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    static func make(
        _ version: ProxyProtocolVersion, source: SocketAddress, destination: SocketAddress?, allocator: ByteBufferAllocator
    ) -> ByteBuffer {
        let src = endpoint(source)
        var dst = destination.flatMap(endpoint)
        if let s = src, let d = dst, s.bytes.count != d.bytes.count {
            // Both ends of one header must be of one family.
            dst = (bytes: [UInt8](repeating: 0, count: s.bytes.count), port: d.port)
        }
        if let s = src, dst == nil { dst = (bytes: [UInt8](repeating: 0, count: s.bytes.count), port: 0) }
        var buffer = allocator.buffer(capacity: 64)
        switch version {
        case .v1:
            guard let s = src, let d = dst else {
                buffer.writeString("PROXY UNKNOWN\r\n")
                return buffer
            }
            let family = s.bytes.count == 4 ? "TCP4" : "TCP6"
            buffer.writeString("PROXY \(family) \(CIDR.format(s.bytes)) \(CIDR.format(d.bytes)) \(s.port) \(d.port)\r\n")
        case .v2:
            buffer.writeBytes(v2Signature)
            guard let s = src, let d = dst else {
                buffer.writeInteger(UInt8(0x20))  // version 2, LOCAL: no address block
                buffer.writeInteger(UInt8(0x00))
                buffer.writeInteger(UInt16(0))
                return buffer
            }
            buffer.writeInteger(UInt8(0x21))  // version 2, PROXY
            buffer.writeInteger(UInt8(s.bytes.count == 4 ? 0x11 : 0x21))  // TCP over IPv4 / IPv6
            buffer.writeInteger(UInt16(s.bytes.count == 4 ? 12 : 36))
            buffer.writeBytes(s.bytes)
            buffer.writeBytes(d.bytes)
            buffer.writeInteger(UInt16(s.port))
            buffer.writeInteger(UInt16(d.port))
        }
        return buffer
    }

    private static func endpoint(_ address: SocketAddress) -> (bytes: [UInt8], port: Int)? {
        let port = address.port ?? 0
        switch address {
        case .v4(let v4):
            return (withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }, port)
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
                return (Array(bytes[12...]), port)
            }
            return (bytes, port)
        case .unixDomainSocket:
            return nil
        }
    }
}
