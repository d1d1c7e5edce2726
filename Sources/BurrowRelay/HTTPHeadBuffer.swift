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
    /// `httpHeadMaxBytes`: more than this before the head is complete → 431.
    private let maximum: Int
    private var received = 0
    private var overflowed = false

    init(maximum: Int) {
        self.maximum = maximum
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !overflowed else { return }
        let bytes = Self.unwrapInboundIn(data)
        buffered.append(bytes)
        guard !holding else { return }
        received += bytes.readableBytes
        context.fireChannelRead(data)
        // The decoder has seen these bytes: if the head is still not complete
        // and they are too many, stop here (nothing more is kept or parsed).
        if !holding, received > maximum {
            overflowed = true
            buffered = []
            context.fireErrorCaught(HTTPHeadTooLarge(maximum: maximum))
        }
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
