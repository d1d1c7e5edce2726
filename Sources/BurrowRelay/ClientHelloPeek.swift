import NIOCore

/// Notes whether a TLS visitor's ClientHello offers the ALPN protocol
/// `acme-tls/1` (an ACME server validating a name with TLS-ALPN-01, RFC
/// 8737): it looks for that protocol name, length-prefixed as ALPN writes
/// it, in the first bytes only, then steps out of the pipeline. The bytes
/// pass on untouched to the SNI router behind it.
final class ClientHelloPeek: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// `0x0a` "acme-tls/1": one entry of an ALPN protocol list.
    static let needle: [UInt8] = [0x0a] + Array("acme-tls/1".utf8)
    /// A ClientHello fits in this many bytes (larger ones are not ACME's).
    static let window = 16 * 1024

    private(set) var offersACME = false
    private var seen: [UInt8] = []

    private var done = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !done {
            seen.append(contentsOf: unwrapInboundIn(data).readableBytesView.prefix(Self.window - seen.count))
            offersACME = Self.contains(seen, Self.needle)
            if offersACME || seen.count >= Self.window {
                done = true
                seen = []
            }
        }
        context.fireChannelRead(data)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }
}
