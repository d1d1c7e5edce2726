import BurrowCore
import NIOCore
import Testing

@testable import BurrowAgent

/// The PROXY protocol header, byte for byte against HAProxy's spec
/// ("The PROXY protocol", versions 1 and 2: §2.1 the text form, §2.2 the
/// binary one: 12-byte signature, ver_cmd, fam, length, addresses, ports).
@Suite("ProxyProtocolHeader")
struct ProxyProtocolHeaderTests {
    private static let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    private func header(_ version: ProxyProtocolVersion, _ source: String, _ sourcePort: Int, _ destination: String?, _ destinationPort: Int) throws -> [UInt8] {
        let src = try SocketAddress(ipAddress: source, port: sourcePort)
        let dst = try destination.map { try SocketAddress(ipAddress: $0, port: destinationPort) }
        return Array(ProxyProtocolHeader.make(version, source: src, destination: dst, allocator: ByteBufferAllocator()).readableBytesView)
    }

    @Test("v1 IPv4: PROXY TCP4 source destination ports CRLF")
    func v1IPv4() throws {
        let text = String(decoding: try header(.v1, "203.0.113.7", 56324, "127.0.0.1", 8080), as: UTF8.self)
        #expect(text == "PROXY TCP4 203.0.113.7 127.0.0.1 56324 8080\r\n")
    }

    @Test("v1 IPv6: PROXY TCP6 with the addresses in their usual text form; the longest fits in 107 bytes")
    func v1IPv6() throws {
        let text = String(decoding: try header(.v1, "2001:db8::7", 443, "::1", 65535), as: UTF8.self)
        #expect(text == "PROXY TCP6 2001:db8::7 ::1 443 65535\r\n")
        let longest = try header(.v1, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 65535)
        #expect(longest.count <= 107)
    }

    @Test("v2 IPv4: signature, 0x21 (v2 PROXY), 0x11 (TCP over IPv4), length 12, addresses, ports, big-endian")
    func v2IPv4() throws {
        let bytes = try header(.v2, "203.0.113.7", 0xDC04, "127.0.0.1", 8080)
        #expect(bytes == Self.signature + [0x21, 0x11, 0x00, 0x0C, 203, 0, 113, 7, 127, 0, 0, 1, 0xDC, 0x04, 0x1F, 0x90])
    }

    @Test("v2 IPv6: 0x21 (TCP over IPv6), length 36, 16-byte addresses")
    func v2IPv6() throws {
        let bytes = try header(.v2, "2001:db8::7", 443, "::1", 8080)
        let source: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [7]
        let destination: [UInt8] = [UInt8](repeating: 0, count: 15) + [1]
        #expect(bytes == Self.signature + [0x21, 0x21, 0x00, 0x24] + source + destination + [0x01, 0xBB, 0x1F, 0x90])
    }

    @Test("an IPv4-mapped IPv6 visitor is written as IPv4", arguments: [ProxyProtocolVersion.v1, .v2])
    func mappedIsIPv4(version: ProxyProtocolVersion) throws {
        let mapped = try header(version, "::ffff:203.0.113.7", 5000, "127.0.0.1", 80)
        #expect(mapped == (try header(version, "203.0.113.7", 5000, "127.0.0.1", 80)))
    }

    @Test("source and destination of two families: one family in the header (the source's), the destination unspecified")
    func mixedFamilies() throws {
        let v1 = String(decoding: try header(.v1, "203.0.113.7", 5000, "::1", 80), as: UTF8.self)
        #expect(v1 == "PROXY TCP4 203.0.113.7 0.0.0.0 5000 80\r\n")
        let v2 = try header(.v2, "203.0.113.7", 5000, nil, 0)
        #expect(v2 == Self.signature + [0x21, 0x11, 0x00, 0x0C, 203, 0, 113, 7, 0, 0, 0, 0, 0x13, 0x88, 0, 0])
    }

    @Test("an unknown source: v1 PROXY UNKNOWN, v2 LOCAL with no address block")
    func unknownSource() throws {
        let unix = try SocketAddress(unixDomainSocketPath: "/tmp/visitor.sock")
        let destination = try SocketAddress(ipAddress: "127.0.0.1", port: 80)
        let allocator = ByteBufferAllocator()
        let v1 = ProxyProtocolHeader.make(.v1, source: unix, destination: destination, allocator: allocator)
        #expect(String(buffer: v1) == "PROXY UNKNOWN\r\n")
        let v2 = ProxyProtocolHeader.make(.v2, source: unix, destination: destination, allocator: allocator)
        #expect(Array(v2.readableBytesView) == Self.signature + [0x20, 0x00, 0x00, 0x00])
    }
}
