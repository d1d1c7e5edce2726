import NIOCore

/// First handler of an HTTP visitor: keeps every byte read until the visitor
/// is spliced, so the tunnel gets the request exactly as sent (the decoder
/// behind it only looks). Once the router has the head it holds further bytes
/// back from the decoder.
final class HTTPHeadBuffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// Everything read so far, in order; `ByteBuffer`s share storage, no copy.
    private(set) var buffered: [ByteBuffer] = []
    private var holding = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Self.unwrapInboundIn(data)
        buffered.append(bytes)
        if !holding { context.fireChannelRead(data) }
    }

    /// Stops feeding the decoder: the head is known, the rest waits for the tunnel.
    func hold() {
        holding = true
    }

    func takeBuffered() -> [ByteBuffer] {
        defer { buffered = [] }
        return buffered
    }
}
