import NIOCore

/// First handler of an HTTP visitor, in front of NIOHTTP1's decoder: counts
/// the bytes of the first request head and stops a visitor that sent more
/// than `httpHeadMaxBytes` without finishing it (nothing more is parsed or
/// kept; the router answers 431). Once the router has the head it disarms
/// this and every byte passes untouched. (Later heads on a kept-alive
/// connection are bounded by the decoder's own limit.)
final class HTTPHeadLimiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let maximum: Int
    private var received = 0
    private var armed = true
    private var overflowed = false

    init(maximum: Int) {
        self.maximum = maximum
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard armed else {
            context.fireChannelRead(data)
            return
        }
        guard !overflowed else { return }
        received += Self.unwrapInboundIn(data).readableBytes
        context.fireChannelRead(data)
        // The decoder has seen these bytes: a head still incomplete after this many is too large.
        if armed, received > maximum {
            overflowed = true
            context.fireErrorCaught(HTTPHeadTooLarge(maximum: maximum))
        }
    }

    /// The head is complete: from now on this handler only passes bytes on.
    func disarm() {
        armed = false
    }
}
