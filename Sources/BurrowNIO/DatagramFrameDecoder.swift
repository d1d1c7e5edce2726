import NIOCore

/// UDP datagrams on a `forwarded-tcpip` channel: each one is a 2-byte
/// big-endian length followed by that many bytes (a UDP payload is at most
/// 65 507 bytes, so 2 bytes suffice). This decoder turns the channel's byte
/// stream back into one `ByteBuffer` per datagram (a slice, no copy);
/// `frame` writes one.
public struct DatagramFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    /// The largest UDP payload over IPv4 (65 535 − 8 − 20).
    public static let maximumDatagram = 65_507

    public init() {}

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        let datagram = buffer.readSlice(length: Int(length))!
        context.fireChannelRead(Self.wrapInboundOut(datagram))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    /// The 2-byte length that goes before `datagram` on the channel.
    public static func header(for datagram: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
        var header = allocator.buffer(capacity: 2)
        header.writeInteger(UInt16(datagram.readableBytes))
        return header
    }
}
